"""Fictional names, grades and absence kinds that a generated district draws from."""

# fmt: off
PLACES = (
    "Riverside", "Harbour Gate", "Old Town", "East Market", "Northfield", "Westbrook", "Lakeview",
    "Hillcrest", "Maple Ridge", "Stonebridge", "Greenvale", "Pine Hollow", "Cedar Bay", "Kingsway",
    "Millbrook", "Fairview", "Ashford", "Brookside", "Elmwood", "Oakridge", "Silver Lake",
    "Willow Creek", "Redcliff", "Bellhaven", "Foxley", "Granary Row", "Copper Hill", "Thornbury",
    "Mistral Bay", "Larkspur", "Highgate", "Saltmarsh", "Clearwater", "Orchard Vale", "Ironside",
    "Beacon Point", "Rosemead", "Falconer", "Juniper Flats", "Kestrel Downs",
)
PLACE_PREFIXES = ("North", "South", "East", "West", "Upper", "Lower", "New", "Old")
SURNAMES = (
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang", "Han",
    "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai", "Jiang",
)
GIVEN_NAMES = (
    "Wei", "Fang", "Na", "Min", "Jing", "Li", "Qiang", "Lei", "Jun", "Yang", "Yong", "Yan", "Jie",
    "Tao", "Ming", "Chao", "Xiu", "Xia", "Ping", "Gang", "Hui", "Hao", "Bin", "Peng", "Dan", "Rui",
    "Jianguo", "Xiaoming", "Haiyan", "Zhiqiang", "Lina", "Wenjie", "Yuting", "Jiahui", "Zihan",
    "Hongmei", "Guoqing", "Xinyi", "Shufen", "Junjie", "Yifan", "Chenxi",
)
# fmt: on
SWORN_GRADES = (
    ("Officer 2", 0.12),
    ("Officer 1", 0.22),
    ("Sergeant 3", 0.2),
    ("Sergeant 2", 0.16),
    ("Sergeant 1", 0.12),
    ("Inspector 3", 0.1),
    ("Inspector 2", 0.06),
    ("Inspector 1", 0.02),
)
AUX_GRADES = (("Level 1", 0.3), ("Level 2", 0.3), ("Level 3", 0.2), ("Level 4", 0.13), ("Level 5", 0.07))
ABSENCE_KINDS = (("leave", 0.5, (2, 7)), ("sick", 0.3, (1, 3)), ("training", 0.2, (1, 3)))
