/**
 * The doctor's task-list check against a registrar whose PageSize maximum is below 100 (domain-api.md §3.6:
 * no maximum documented for QueryTaskList; InvalidPageSize is a Domain business code, §6). The run's ledger
 * reads such a list in smaller pages; the doctor must not report the check failed for it.
 */
import { describe, expect, it } from 'vitest';
import { checkTasks } from '../../shared/doctor/checks.js';
import { DomainApiError, type DomainReads, type Page, type TaskInfo } from '../../shared/domain-api/index.js';

const task: TaskInfo = { TaskNo: 'T-1', TaskType: 'ORDER_REDEEM', TaskNum: 1, CreateTime: '2026-12-01 09:00:00', TaskStatusCode: 3 };

function page<T>(items: T[]): Page<T> {
  return { items, pageNum: 1, totalPages: 1, totalItems: items.length, hasNext: false, requestId: 'R' };
}

const refusesAbove50 = (pageSize: number, action: string) => {
  if (pageSize > 50) throw new DomainApiError({ action, code: 'InvalidPageSize', message: 'The specified PageSize is invalid.', requestId: 'R-PS', httpStatus: 400, retryAfterMs: undefined });
};

const domains: DomainReads = {
  queryDomainList: () => Promise.resolve(page([])),
  queryTaskList: (query) => {
    refusesAbove50(query.pageSize, 'QueryTaskList');
    return Promise.resolve(page([task]));
  },
  queryTaskDetailList: () => Promise.resolve(page([])),
};

describe('redeemer doctor, tasks check', () => {
  it('InvalidPageSize to PageSize 100: asked again in smaller pages, the check passes', async () => {
    const check = await checkTasks({ domains, now: () => Date.UTC(2026, 11, 1) });
    expect(check).toMatchObject({ id: 'tasks', status: 'pass' });
  });
});
