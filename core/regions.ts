/**
 * The regions of Jiaozuo (焦作市, GB/T 2260 code 410800) as alerts and emails name them: the city,
 * its five urban districts (五城区, one admission zone) and its six counties and county-level
 * cities. Routing follows this hierarchy (county -> city): a county's violations go to its own
 * contacts and the city's, never to another county's.
 */

export const CITY_CODE = '410800';

export interface Region {
  code: string;
  zh: string;
  en: string;
}

/** The city first, then the urban districts, then the counties, in code order within each. */
export const regions: readonly Region[] = [
  { code: CITY_CODE, zh: '焦作市', en: 'Jiaozuo' },
  { code: '410802', zh: '解放区', en: 'Jiefang District' },
  { code: '410803', zh: '中站区', en: 'Zhongzhan District' },
  { code: '410804', zh: '马村区', en: 'Macun District' },
  { code: '410811', zh: '山阳区', en: 'Shanyang District' },
  { code: '410871', zh: '城乡一体化示范区', en: 'Urban-Rural Integration Demonstration Zone' },
  { code: '410821', zh: '修武县', en: 'Xiuwu County' },
  { code: '410822', zh: '博爱县', en: 'Bo’ai County' },
  { code: '410823', zh: '武陟县', en: 'Wuzhi County' },
  { code: '410825', zh: '温县', en: 'Wen County' },
  { code: '410882', zh: '沁阳市', en: 'Qinyang' },
  { code: '410883', zh: '孟州市', en: 'Mengzhou' },
];

const byCode = new Map(regions.map((r) => [r.code, r]));

/** The region with this code, or undefined for a code outside Jiaozuo. */
export function regionOf(code: string | null | undefined): Region | undefined {
  return code ? byCode.get(code) : undefined;
}

/** A region's name in the reader's language, or the bare code for one outside Jiaozuo. */
export function regionName(code: string, language: 'zh-CN' | 'en' = 'zh-CN'): string {
  const r = byCode.get(code);
  return r ? (language === 'en' ? r.en : r.zh) : code;
}
