/**
 * Real Shanghai districts (区) and their subdistricts (街道, and a few towns 镇 where a district has few 街道),
 * with approximate centre coordinates and real road names, so seeded sites look like places people know.
 * Coordinates are rounded to ~100 m; roads are real roads of the district, not checked against the subdistrict.
 */
export interface Subdistrict {
  name: string;
  lat: number;
  lng: number;
  /** The name locals use for the area; white-collar hubs and study rooms are named after it. */
  area: string;
}

export interface District {
  name: string;
  roads: readonly string[];
  subdistricts: readonly Subdistrict[];
}

export const SHANGHAI_DISTRICTS: readonly District[] = [
  {
    name: '浦东新区',
    roads: ['世纪大道', '浦东南路', '张杨路', '东方路', '源深路', '浦电路', '崂山路', '峨山路', '金杨路', '浦建路'],
    subdistricts: [
      { name: '陆家嘴街道', lat: 31.236, lng: 121.505, area: '陆家嘴' },
      { name: '潍坊新村街道', lat: 31.229, lng: 121.523, area: '潍坊' },
      { name: '洋泾街道', lat: 31.244, lng: 121.534, area: '洋泾' },
      { name: '塘桥街道', lat: 31.215, lng: 121.523, area: '塘桥' },
      { name: '花木街道', lat: 31.212, lng: 121.552, area: '花木' },
      { name: '金杨新村街道', lat: 31.26, lng: 121.572, area: '金杨' },
      { name: '南码头路街道', lat: 31.199, lng: 121.508, area: '南码头' },
      { name: '周家渡街道', lat: 31.183, lng: 121.496, area: '世博' },
      { name: '上钢新村街道', lat: 31.176, lng: 121.483, area: '上钢' },
      { name: '张江镇', lat: 31.203, lng: 121.6, area: '张江' },
    ],
  },
  {
    name: '徐汇区',
    roads: ['漕溪北路', '宜山路', '田林路', '钦州路', '虹漕路', '肇嘉浜路', '天钥桥路', '零陵路', '龙华中路', '斜土路'],
    subdistricts: [
      { name: '徐家汇街道', lat: 31.193, lng: 121.437, area: '徐家汇' },
      { name: '田林街道', lat: 31.174, lng: 121.424, area: '田林' },
      { name: '枫林路街道', lat: 31.192, lng: 121.453, area: '枫林' },
      { name: '天平路街道', lat: 31.205, lng: 121.443, area: '衡复' },
      { name: '湖南路街道', lat: 31.211, lng: 121.442, area: '湖南路' },
      { name: '斜土路街道', lat: 31.195, lng: 121.462, area: '斜土' },
      { name: '漕河泾街道', lat: 31.168, lng: 121.433, area: '漕河泾' },
      { name: '康健新村街道', lat: 31.16, lng: 121.42, area: '康健' },
      { name: '虹梅路街道', lat: 31.17, lng: 121.4, area: '虹梅' },
      { name: '长桥街道', lat: 31.144, lng: 121.442, area: '长桥' },
      { name: '龙华街道', lat: 31.173, lng: 121.452, area: '徐汇滨江' },
    ],
  },
  {
    name: '静安区',
    roads: ['南京西路', '延安中路', '常德路', '江宁路', '西康路', '共和新路', '灵石路', '临汾路', '广中西路', '万荣路'],
    subdistricts: [
      { name: '静安寺街道', lat: 31.223, lng: 121.447, area: '静安寺' },
      { name: '南京西路街道', lat: 31.229, lng: 121.459, area: '南京西路' },
      { name: '江宁路街道', lat: 31.238, lng: 121.448, area: '江宁路' },
      { name: '石门二路街道', lat: 31.236, lng: 121.462, area: '石门二路' },
      { name: '曹家渡街道', lat: 31.229, lng: 121.436, area: '曹家渡' },
      { name: '天目西路街道', lat: 31.247, lng: 121.46, area: '天目西路' },
      { name: '芷江西路街道', lat: 31.256, lng: 121.461, area: '芷江西路' },
      { name: '大宁路街道', lat: 31.278, lng: 121.458, area: '大宁' },
      { name: '彭浦新村街道', lat: 31.303, lng: 121.448, area: '彭浦' },
      { name: '临汾路街道', lat: 31.3, lng: 121.456, area: '临汾' },
    ],
  },
  {
    name: '黄浦区',
    roads: ['西藏中路', '复兴中路', '建国中路', '瑞金二路', '中华路', '河南南路', '丽园路', '蒙自路', '淮海中路', '四川中路'],
    subdistricts: [
      { name: '南京东路街道', lat: 31.238, lng: 121.484, area: '南京东路' },
      { name: '外滩街道', lat: 31.237, lng: 121.489, area: '外滩' },
      { name: '瑞金二路街道', lat: 31.21, lng: 121.465, area: '瑞金' },
      { name: '淮海中路街道', lat: 31.22, lng: 121.472, area: '新天地' },
      { name: '打浦桥街道', lat: 31.206, lng: 121.471, area: '打浦桥' },
      { name: '豫园街道', lat: 31.227, lng: 121.49, area: '豫园' },
      { name: '老西门街道', lat: 31.219, lng: 121.482, area: '老西门' },
      { name: '小东门街道', lat: 31.222, lng: 121.498, area: '十六铺' },
      { name: '半淞园路街道', lat: 31.205, lng: 121.491, area: '半淞园' },
      { name: '五里桥街道', lat: 31.199, lng: 121.478, area: '五里桥' },
    ],
  },
  {
    name: '杨浦区',
    roads: ['国定路', '政通路', '控江路', '延吉中路', '平凉路', '长阳路', '四平路', '殷行路', '黄兴路', '大学路'],
    subdistricts: [
      { name: '五角场街道', lat: 31.3, lng: 121.515, area: '五角场' },
      { name: '新江湾城街道', lat: 31.33, lng: 121.503, area: '新江湾城' },
      { name: '控江路街道', lat: 31.272, lng: 121.528, area: '控江' },
      { name: '延吉新村街道', lat: 31.275, lng: 121.538, area: '延吉' },
      { name: '平凉路街道', lat: 31.26, lng: 121.525, area: '平凉' },
      { name: '大桥街道', lat: 31.26, lng: 121.535, area: '杨浦滨江' },
      { name: '四平路街道', lat: 31.28, lng: 121.51, area: '四平' },
      { name: '殷行街道', lat: 31.318, lng: 121.53, area: '殷行' },
      { name: '长白新村街道', lat: 31.285, lng: 121.54, area: '长白' },
      { name: '江浦路街道', lat: 31.265, lng: 121.515, area: '江浦' },
    ],
  },
  {
    name: '闵行区',
    roads: ['古美路', '平阳路', '沪闵路', '七莘路', '虹井路', '浦锦路', '江川路', '都市路', '莘松路', '顾戴路'],
    subdistricts: [
      { name: '江川路街道', lat: 31.01, lng: 121.4, area: '江川' },
      { name: '古美路街道', lat: 31.15, lng: 121.395, area: '古美' },
      { name: '新虹街道', lat: 31.195, lng: 121.33, area: '虹桥商务区' },
      { name: '浦锦街道', lat: 31.09, lng: 121.5, area: '浦锦' },
      { name: '莘庄镇', lat: 31.111, lng: 121.385, area: '莘庄' },
      { name: '七宝镇', lat: 31.156, lng: 121.35, area: '七宝' },
      { name: '梅陇镇', lat: 31.13, lng: 121.42, area: '梅陇' },
      { name: '颛桥镇', lat: 31.06, lng: 121.41, area: '颛桥' },
      { name: '虹桥镇', lat: 31.18, lng: 121.39, area: '虹桥' },
    ],
  },
  {
    name: '长宁区',
    roads: ['长宁路', '愚园路', '番禺路', '天山路', '仙霞路', '虹桥路', '遵义路', '娄山关路', '古北路', '延安西路'],
    subdistricts: [
      { name: '华阳路街道', lat: 31.223, lng: 121.428, area: '中山公园' },
      { name: '江苏路街道', lat: 31.222, lng: 121.433, area: '江苏路' },
      { name: '新华路街道', lat: 31.205, lng: 121.425, area: '新华路' },
      { name: '周家桥街道', lat: 31.217, lng: 121.405, area: '周家桥' },
      { name: '天山路街道', lat: 31.213, lng: 121.408, area: '天山' },
      { name: '仙霞新村街道', lat: 31.204, lng: 121.393, area: '仙霞' },
      { name: '虹桥街道', lat: 31.2, lng: 121.41, area: '古北' },
      { name: '程家桥街道', lat: 31.195, lng: 121.368, area: '程家桥' },
      { name: '北新泾街道', lat: 31.22, lng: 121.38, area: '北新泾' },
      { name: '新泾镇', lat: 31.215, lng: 121.36, area: '虹桥临空' },
    ],
  },
  {
    name: '普陀区',
    roads: ['长寿路', '枣阳路', '兰溪路', '宜川路', '志丹路', '石泉路', '真北路', '大渡河路', '曹杨路', '武宁路'],
    subdistricts: [
      { name: '长寿路街道', lat: 31.245, lng: 121.438, area: '长寿路' },
      { name: '曹杨新村街道', lat: 31.242, lng: 121.413, area: '曹杨' },
      { name: '长风新村街道', lat: 31.225, lng: 121.395, area: '长风' },
      { name: '宜川路街道', lat: 31.26, lng: 121.43, area: '宜川' },
      { name: '甘泉路街道', lat: 31.265, lng: 121.438, area: '甘泉' },
      { name: '石泉路街道', lat: 31.252, lng: 121.423, area: '石泉' },
      { name: '真如镇街道', lat: 31.255, lng: 121.4, area: '真如' },
      { name: '万里街道', lat: 31.275, lng: 121.415, area: '万里' },
      { name: '长征镇', lat: 31.245, lng: 121.38, area: '长征' },
      { name: '桃浦镇', lat: 31.285, lng: 121.39, area: '桃浦' },
    ],
  },
];

/** Common surnames and given names, for resident display names. */
export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '沈', '陆', '顾', '蒋', '钱', '施'] as const;
export const GIVEN_NAMES = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '秀英', '桂英', '玉兰',
  '建华', '国强', '海燕', '晓明', '雪梅', '志刚', '丽华', '文杰', '佳怡', '子涵', '浩然', '欣怡', '宇轩', '梓萱', '一诺', '思远',
] as const;
