/** The two Domain API products: the international site and the China site. */
export type DomainSite = 'intl' | 'cn';

interface SiteInfo {
  readonly endpoint: string;
  readonly version: string;
}

export const SITES: Readonly<Record<DomainSite, SiteInfo>> = {
  intl: { endpoint: 'https://domain-intl.aliyuncs.com', version: '2017-12-18' },
  cn: { endpoint: 'https://domain.aliyuncs.com', version: '2018-01-29' },
};
