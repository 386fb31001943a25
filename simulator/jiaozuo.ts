/**
 * Jiaozuo at scale 1: its 11 county-level regions (codes of the contract), populations of the
 * 2020 census order (city about 3.5 million), township counts, and each region's profile, the
 * levels its education indicators are built around (some counties fall short on purpose).
 */
export interface RegionProfile {
  code: string;
  name: string;
  /** One of the five urban districts (五城区), which form one admission zone. */
  urban: boolean;
  population: number;
  townships: number;
  /** Children in kindergartens ÷ resident children aged 3-5 (毛入园率) the world aims at. */
  kgGer: number;
  /** Share of kindergarten children in public kindergartens. */
  publicShare: number;
  /** Share in public or 普惠 private kindergartens. */
  puhuiShare: number;
  /** High-school-stage students ÷ population aged 15-17. */
  hsGer: number;
}

export { CITY_CODE } from '../core/regions.ts';

export const jiaozuo: readonly RegionProfile[] = [
  { code: '410802', name: '解放区', urban: true, population: 300_000, townships: 8, kgGer: 1.03, publicShare: 0.56, puhuiShare: 0.93, hsGer: 1.08 },
  { code: '410803', name: '中站区', urban: true, population: 105_000, townships: 7, kgGer: 0.99, publicShare: 0.6, puhuiShare: 0.94, hsGer: 0.97 },
  { code: '410804', name: '马村区', urban: true, population: 115_000, townships: 5, kgGer: 0.985, publicShare: 0.58, puhuiShare: 0.92, hsGer: 0.96 },
  { code: '410811', name: '山阳区', urban: true, population: 330_000, townships: 10, kgGer: 1.02, publicShare: 0.53, puhuiShare: 0.91, hsGer: 1.06 },
  { code: '410871', name: '城乡一体化示范区', urban: true, population: 190_000, townships: 7, kgGer: 1.0, publicShare: 0.51, puhuiShare: 0.9, hsGer: 1.0 },
  { code: '410821', name: '修武县', urban: false, population: 255_000, townships: 9, kgGer: 0.975, publicShare: 0.55, puhuiShare: 0.92, hsGer: 0.955 },
  { code: '410822', name: '博爱县', urban: false, population: 360_000, townships: 10, kgGer: 0.98, publicShare: 0.52, puhuiShare: 0.91, hsGer: 0.96 },
  { code: '410823', name: '武陟县', urban: false, population: 690_000, townships: 15, kgGer: 0.93, publicShare: 0.44, puhuiShare: 0.86, hsGer: 0.91 },
  { code: '410825', name: '温县', urban: false, population: 400_000, townships: 12, kgGer: 0.955, publicShare: 0.47, puhuiShare: 0.9, hsGer: 0.94 },
  { code: '410882', name: '沁阳市', urban: false, population: 430_000, townships: 14, kgGer: 0.985, publicShare: 0.52, puhuiShare: 0.91, hsGer: 0.97 },
  { code: '410883', name: '孟州市', urban: false, population: 340_000, townships: 11, kgGer: 0.99, publicShare: 0.54, puhuiShare: 0.92, hsGer: 0.965 },
];

/** Home regions of students from outside Jiaozuo (郑州, 新乡, 洛阳, 济源). */
export const outsideRegions = ['410102', '410105', '410702', '410302', '419001'] as const;

/** Syllables for township and school names: plausible, not real. */
export const placeNames = [
  '城关',
  '王屯',
  '木城',
  '西陶',
  '乔庙',
  '詹店',
  '大封',
  '北郭',
  '宁郭',
  '龙源',
  '三阳',
  '小董',
  '西向',
  '王曲',
  '紫陵',
  '崇义',
  '西万',
  '槐树',
  '南庄',
  '赵堡',
  '武德',
  '番田',
  '招贤',
  '黄庄',
  '祥云',
  '岳村',
  '清化',
  '许良',
  '磨头',
  '金城',
  '孝敬',
  '柏山',
  '寨卧',
  '鹿村',
  '郇封',
  '七贤',
  '方庄',
  '五里源',
  '周庄',
  '李万',
  '高村',
  '城伯',
  '谷旦',
  '河阳',
  '会昌',
  '西虢',
  '大定',
  '王召',
  '待王',
  '府城',
  '丰收',
  '焦北',
  '焦西',
  '焦东',
  '民主',
  '新华',
  '上白作',
  '罗庄',
  '王封',
  '李封',
  '冯封',
  '朱村',
  '许衡',
  '太行',
  '光亚',
  '艺新',
  '百间房',
  '新城',
  '中星',
  '定和',
  '焦南',
  '阳庙',
  '演马',
  '安阳城',
  '九里山',
  '冯营',
  '马村',
  '东王封',
  '苏家作',
  '嘉应观',
  '圪垱店',
  '谢旗营',
  '西张计',
] as const;

export const brandNames = [
  '博文',
  '启智',
  '育才',
  '童心',
  '阳光',
  '金色童年',
  '小天使',
  '贝贝',
  '快乐',
  '春蕾',
  '明德',
  '新星',
  '彩虹',
  '蓝天',
  '向日葵',
  '七色花',
  '华夏',
  '英才',
  '蒲公英',
  '星光',
  '智慧树',
  '爱弥儿',
  '小博士',
  '雅思',
  '蓓蕾',
  '晨曦',
] as const;
