// @alicloud/log ships no types; the tests and the benchmark's reference use a small part of it.
declare module '@alicloud/log' {
  interface SlsClientOptions {
    accessKeyId: string;
    accessKeySecret: string;
    securityToken?: string | undefined;
    endpoint?: string;
    region?: string;
  }
  class SlsClient {
    constructor(options: SlsClientOptions);
    postLogStoreLogs(project: string, logstore: string, data: { logs: Array<{ timestamp: number; content: Record<string, string> }>; topic?: string; source?: string }, options?: object): Promise<unknown>;
    getLogs(project: string, logstore: string, from: Date, to: Date, data?: object, options?: object): Promise<unknown>;
  }
  export = SlsClient;
}
