"""Name parts for the demo book: Chinese and Korean exporters, and buyers per country.

Every name is assembled from parts, so the book reads like a real one without naming
any real company on purpose.  The tables are data only; the drawing happens in
:mod:`tradecover.demo.book` with the book's own ``random.Random``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class ExporterRegion:
    """Where exporters are based: a region, its towns, its typical goods and its weight."""

    code: str  # ISO 3166-2, e.g. "CN-ZJ"
    country: str
    towns: tuple[str, ...]
    hs_chapters: tuple[str, ...]  # chapters typical of the region, most typical first
    weight: int  # share of the book's exporters


EXPORTER_REGIONS: Final[tuple[ExporterRegion, ...]] = (
    ExporterRegion("CN-ZJ", "CN", ("Hangzhou", "Ningbo", "Wenzhou", "Shaoxing", "Yiwu", "Jinhua",
                                   "Taizhou", "Huzhou", "Jiaxing", "Cixi"),
                   ("61", "62", "63", "94", "95", "85", "73", "84", "96", "39"), 20),
    ExporterRegion("CN-GD", "CN", ("Shenzhen", "Guangzhou", "Dongguan", "Foshan", "Zhongshan",
                                   "Shantou", "Huizhou", "Jiangmen", "Chaozhou"),
                   ("85", "84", "94", "95", "39", "64", "42", "90", "83", "69"), 22),
    ExporterRegion("CN-JS", "CN", ("Suzhou", "Wuxi", "Changzhou", "Nanjing", "Nantong",
                                   "Kunshan", "Yangzhou", "Jiangyin"),
                   ("84", "85", "61", "62", "73", "90", "29", "54", "87"), 14),
    ExporterRegion("CN-FJ", "CN", ("Xiamen", "Fuzhou", "Quanzhou", "Jinjiang", "Putian",
                                   "Zhangzhou", "Shishi"),
                   ("64", "61", "62", "42", "69", "03", "95", "68", "44"), 10),
    ExporterRegion("CN-SD", "CN", ("Qingdao", "Yantai", "Weifang", "Jinan", "Weihai", "Linyi",
                                   "Zibo", "Rizhao"),
                   ("84", "87", "40", "03", "20", "29", "44", "73", "16"), 10),
    ExporterRegion("CN-SH", "CN", ("Shanghai",),
                   ("84", "85", "90", "30", "29", "33", "62", "87"), 6),
    ExporterRegion("KR-11", "KR", ("Seoul",), ("33", "62", "61", "85", "42", "95", "90"), 5),
    ExporterRegion("KR-26", "KR", ("Busan",), ("03", "89", "87", "64", "73", "84", "16"), 4),
    ExporterRegion("KR-41", "KR", ("Suwon", "Ansan", "Hwaseong", "Siheung", "Bucheon",
                                   "Pyeongtaek", "Seongnam"),
                   ("85", "84", "90", "39", "87", "33"), 5),
    ExporterRegion("KR-48", "KR", ("Changwon", "Gimhae", "Geoje", "Yangsan", "Jinju"),
                   ("84", "87", "89", "73", "85"), 2),
    ExporterRegion("KR-28", "KR", ("Incheon",), ("85", "87", "84", "39", "33"), 1),
    ExporterRegion("KR-47", "KR", ("Gumi", "Pohang", "Gyeongju"), ("85", "72", "73", "87"), 1),
)
"""Exporter regions of the book: six Chinese provinces and municipalities, six Korean."""

INDUSTRY_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "03": ("Seafood", "Fisheries", "Aquatic Products"),
    "16": ("Foodstuffs", "Canned Food"),
    "20": ("Foodstuffs", "Vegetable Products"),
    "29": ("Chemical", "Fine Chemicals"),
    "30": ("Pharmaceutical", "Biotech"),
    "33": ("Cosmetics", "Beauty"),
    "39": ("Plastics", "Plastic Products"),
    "40": ("Rubber", "Tyre"),
    "42": ("Bags", "Leather Goods", "Luggage"),
    "44": ("Wood Products", "Timber"),
    "54": ("Fibre", "Synthetic Fabrics"),
    "61": ("Knitwear", "Garment", "Apparel"),
    "62": ("Garment", "Fashion", "Clothing"),
    "63": ("Home Textile", "Textile"),
    "64": ("Footwear", "Shoes"),
    "68": ("Stone", "Building Materials"),
    "69": ("Ceramics", "Porcelain"),
    "72": ("Steel", "Special Steel"),
    "73": ("Hardware", "Metal Products", "Fasteners"),
    "83": ("Hardware", "Locks"),
    "84": ("Machinery", "Pump", "Precision Machinery", "Tools"),
    "85": ("Electronics", "Electric Appliance", "Lighting", "Power Technology"),
    "87": ("Auto Parts", "Vehicle Parts"),
    "89": ("Marine Equipment", "Shipbuilding Parts"),
    "90": ("Optical", "Medical Devices", "Instruments"),
    "94": ("Furniture", "Home Furnishing", "Lighting"),
    "95": ("Toys", "Sporting Goods", "Outdoor Products"),
    "96": ("Commodities", "Stationery"),
}
"""Words for the trade of an exporter whose main HS chapter is the key."""

CHINESE_BRAND_WORDS: Final = (
    "Hengda", "Xinyuan", "Jinhai", "Huamei", "Tianli", "Ruifeng", "Yongsheng", "Kaixuan",
    "Haitian", "Baolong", "Mingda", "Dongfang", "Xiangyu", "Jiahe", "Shunfa", "Fuxing",
    "Hongxin", "Zhongcheng", "Lianfa", "Boyuan", "Chuangxin", "Huaxia", "Jinlong", "Shengtai",
    "Yuanda", "Taifeng", "Xinhua", "Guangming", "Anda", "Weiye", "Huarui", "Longsheng",
    "Zhenghe", "Haoyu", "Jiayuan", "Minghui", "Sanhe", "Tongda", "Xinglong", "Yida",
)
"""Auspicious trade-name syllables common in Chinese company names (pinyin)."""

KOREAN_BRAND_WORDS: Final = (
    "Hanil", "Samjin", "Dongyang", "Seyoung", "Woojin", "Daewon", "Hanbit", "Sejin", "Taesung",
    "Jinwoo", "Saehan", "Kumho", "Shinil", "Daesung", "Hwaseung", "Yujin", "Sunjin", "Dongil",
    "Kyungdong", "Haeyang", "Mirae", "Nuri", "Saerom", "Gaon",
)
"""Trade-name words common in Korean company names (Revised Romanization)."""

ECOMMERCE_WORDS: Final = ("E-Commerce", "Cross-Border Trading", "Global Trading", "Online Trading")
"""Trades of cross-border e-commerce sellers."""


@dataclass(frozen=True, slots=True)
class BuyerLanguage:
    """Name parts that make a buyer's name sound local."""

    stems: tuple[str, ...]
    trades: tuple[str, ...]
    trade_first: bool = False  # "Distribuciones Garcia" rather than "Garcia Distribution"


LANGUAGES: Final[dict[str, BuyerLanguage]] = {
    "en": BuyerLanguage(
        ("Hudson", "Lakeside", "Summit", "Redwood", "Harbor", "Pioneer", "Atlas", "Bluewater",
         "Northgate", "Crescent", "Sterling", "Evergreen", "Keystone", "Meridian", "Oakridge",
         "Westfield", "Granite", "Silverline", "Brookfield", "Cardinal"),
        ("Trading", "Imports", "Home Goods", "Supply", "Distribution", "Retail", "Wholesale",
         "Brands", "Industrial Supply", "Outfitters")),
    "de": BuyerLanguage(
        ("Müller", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Schäfer", "Koch",
         "Richter", "Wagner", "Neumann", "Krüger", "Brandt", "Lorenz"),
        ("Handels", "Import", "Technik", "Vertrieb", "Textil", "Maschinen", "Elektro",
         "Haushaltswaren")),
    "fr": BuyerLanguage(
        ("Lefèvre", "Dubois", "Moreau", "Laurent", "Girard", "Bonnet", "Mercier", "Rousseau",
         "Fontaine", "Chevalier", "Garnier", "Lambert"),
        ("Distribution", "Import", "Négoce", "Industries", "Textiles", "Équipements"),
        trade_first=True),
    "es": BuyerLanguage(
        ("García", "Martínez", "López", "Hernández", "Rodríguez", "Fernández", "Torres",
         "Ramírez", "Castillo", "Vargas", "Morales", "Navarro"),
        ("Distribuciones", "Importadora", "Comercial", "Textiles", "Suministros",
         "Industrias"), trade_first=True),
    "pt": BuyerLanguage(
        ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Almeida", "Ferreira",
         "Carvalho", "Ribeiro"),
        ("Importadora", "Comercial", "Distribuidora", "Têxtil", "Industrial"), trade_first=True),
    "it": BuyerLanguage(
        ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo",
         "Conti"),
        ("Commerciale", "Importazioni", "Distribuzione", "Tessile", "Forniture"),
        trade_first=True),
    "nl": BuyerLanguage(
        ("de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
         "Mulder", "Bos"),
        ("Handel", "Import", "Groothandel", "Techniek", "Retail")),
    "nordic": BuyerLanguage(
        ("Lindqvist", "Nyberg", "Holm", "Berg", "Dahl", "Lund", "Strand", "Sandvik", "Nilsen",
         "Virtanen"),
        ("Handel", "Import", "Interiør", "Trading", "Design")),
    "pl": BuyerLanguage(
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński"),
        ("Handel", "Import", "Hurt", "Dystrybucja")),
    "cz": BuyerLanguage(
        ("Novák", "Svoboda", "Dvořák", "Černý", "Procházka", "Horváth", "Nagy", "Szabó",
         "Popescu", "Ionescu"),
        ("Trade", "Import", "Obchod", "Distribuce")),
    "tr": BuyerLanguage(
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan"),
        ("Dış Ticaret", "Tekstil", "Makina", "İthalat", "Elektrik")),
    "ar": BuyerLanguage(
        ("Al Noor", "Al Rashid", "Al Mansour", "Al Fajr", "Al Waha", "Al Khaleej", "Al Hamra",
         "Al Safa", "Al Baraka", "Al Amal", "Nile", "Atlas"),
        ("Trading", "General Trading", "Import & Export", "Commercial", "Distribution")),
    "ja": BuyerLanguage(
        ("Yamamoto", "Tanaka", "Suzuki", "Sato", "Takahashi", "Watanabe", "Ito", "Nakamura",
         "Kobayashi", "Kato", "Yoshida", "Matsumoto"),
        ("Shoji", "Bussan", "Trading", "Sangyo", "Denki", "Seiko")),
    "vi": BuyerLanguage(
        ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do"),
        ("Trading", "Import Export", "Manufacturing", "Garment", "Technology")),
    "th": BuyerLanguage(
        ("Siam", "Chaiyaporn", "Srisuk", "Thanakorn", "Rattanakosin", "Sukhumvit", "Chao Phraya",
         "Wattana"),
        ("Trading", "Industry", "Import", "Supply")),
    "ms": BuyerLanguage(
        ("Maju", "Jaya", "Sinar", "Mutiara", "Cahaya", "Bintang", "Nusantara", "Sentosa",
         "Harapan", "Makmur"),
        ("Trading", "Enterprise", "Industri", "Niaga", "Sejahtera")),
    "in": BuyerLanguage(
        ("Sharma", "Patel", "Gupta", "Mehta", "Reddy", "Agarwal", "Shah", "Kapoor", "Iyer",
         "Khan", "Rahman", "Chowdhury", "Perera"),
        ("Traders", "Enterprises", "Impex", "Industries", "Overseas", "Exports & Imports")),
    "he": BuyerLanguage(
        ("Cohen", "Levi", "Mizrahi", "Peretz", "Biton", "Friedman", "Shapiro"),
        ("Trading", "Import", "Technologies", "Supply")),
    "el": BuyerLanguage(
        ("Papadopoulos", "Nikolaou", "Georgiou", "Dimitriou", "Konstantinou", "Ioannou"),
        ("Trading", "Emporiki", "Imports")),
    "ru": BuyerLanguage(
        ("Nurly", "Altyn", "Samruk", "Dostyk", "Orient", "Tashkent", "Baikonur", "Steppe"),
        ("Trade", "Import", "Group", "Commerce")),
    "ko": BuyerLanguage(
        ("Hanil", "Samjin", "Dongyang", "Seyoung", "Woojin", "Daewon", "Hanbit", "Sejin",
         "Taeyang", "Kukje", "Sambo", "Daelim", "Pyunghwa", "Shinsegye"),
        ("Trading", "Industrial", "Tech", "Global", "Precision", "Materials")),
    "zh": BuyerLanguage(
        ("Wing Fat", "Tai Hing", "Kwong Lee", "Sun Wah", "Chung Hwa", "Tai Ping", "Yuen Fung",
         "Hua Nan", "Fook Lam", "Hop Shing", "Lee Kee", "Man Yick"),
        ("Trading", "Industrial", "Enterprise", "Import & Export")),
}
"""Buyer name parts by language."""


@dataclass(frozen=True, slots=True)
class BuyerCountry:
    """A destination country: how buyers there are named and its share of the buyer pool."""

    code: str
    language: str
    suffixes: tuple[str, ...]
    weight: int


BUYER_COUNTRIES: Final[tuple[BuyerCountry, ...]] = (
    BuyerCountry("US", "en", ("Inc.", "LLC", "Corp."), 160),
    BuyerCountry("JP", "ja", ("Co., Ltd.", "K.K."), 55),
    BuyerCountry("KR", "ko", ("Co., Ltd.",), 40),
    BuyerCountry("CN", "zh", ("Co., Ltd.",), 25),
    BuyerCountry("DE", "de", ("GmbH", "GmbH & Co. KG", "AG"), 55),
    BuyerCountry("GB", "en", ("Ltd", "plc"), 40),
    BuyerCountry("NL", "nl", ("B.V.",), 25),
    BuyerCountry("FR", "fr", ("SAS", "SARL", "S.A."), 25),
    BuyerCountry("IT", "it", ("S.r.l.", "S.p.A."), 20),
    BuyerCountry("ES", "es", ("S.L.", "S.A."), 18),
    BuyerCountry("BE", "fr", ("SA", "SRL"), 8),
    BuyerCountry("PL", "pl", ("Sp. z o.o.",), 12),
    BuyerCountry("CZ", "cz", ("s.r.o.",), 5),
    BuyerCountry("HU", "cz", ("Kft.",), 4),
    BuyerCountry("RO", "cz", ("S.R.L.",), 4),
    BuyerCountry("SE", "nordic", ("AB",), 6),
    BuyerCountry("DK", "nordic", ("A/S", "ApS"), 5),
    BuyerCountry("NO", "nordic", ("AS",), 4),
    BuyerCountry("FI", "nordic", ("Oy",), 3),
    BuyerCountry("AT", "de", ("GmbH",), 5),
    BuyerCountry("CH", "de", ("AG", "GmbH"), 5),
    BuyerCountry("IE", "en", ("Ltd",), 3),
    BuyerCountry("PT", "pt", ("Lda.", "S.A."), 4),
    BuyerCountry("GR", "el", ("S.A.",), 4),
    BuyerCountry("CA", "en", ("Inc.", "Ltd."), 25),
    BuyerCountry("MX", "es", ("S.A. de C.V.",), 25),
    BuyerCountry("BR", "pt", ("Ltda.", "S.A."), 22),
    BuyerCountry("CL", "es", ("S.A.", "SpA"), 10),
    BuyerCountry("PE", "es", ("S.A.C.",), 8),
    BuyerCountry("CO", "es", ("S.A.S.",), 8),
    BuyerCountry("AR", "es", ("S.A.", "S.R.L."), 6),
    BuyerCountry("EC", "es", ("S.A.", "Cía. Ltda."), 4),
    BuyerCountry("UY", "es", ("S.A.",), 2),
    BuyerCountry("PA", "es", ("S.A.",), 3),
    BuyerCountry("CR", "es", ("S.A.",), 2),
    BuyerCountry("DO", "es", ("S.R.L.",), 2),
    BuyerCountry("GT", "es", ("S.A.",), 2),
    BuyerCountry("AU", "en", ("Pty Ltd",), 25),
    BuyerCountry("NZ", "en", ("Limited",), 5),
    BuyerCountry("VN", "vi", ("Co., Ltd.", "JSC"), 40),
    BuyerCountry("TH", "th", ("Co., Ltd.",), 18),
    BuyerCountry("MY", "ms", ("Sdn. Bhd.",), 18),
    BuyerCountry("ID", "ms", ("PT",), 18),
    BuyerCountry("PH", "en", ("Inc.", "Corp."), 12),
    BuyerCountry("SG", "en", ("Pte. Ltd.",), 15),
    BuyerCountry("HK", "zh", ("Limited",), 20),
    BuyerCountry("TW", "zh", ("Co., Ltd.",), 10),
    BuyerCountry("IN", "in", ("Pvt. Ltd.", "LLP"), 35),
    BuyerCountry("BD", "in", ("Ltd.",), 8),
    BuyerCountry("PK", "in", ("(Pvt.) Ltd.",), 6),
    BuyerCountry("LK", "in", ("(Pvt) Ltd",), 3),
    BuyerCountry("KH", "vi", ("Co., Ltd.",), 3),
    BuyerCountry("AE", "ar", ("LLC", "FZE"), 25),
    BuyerCountry("SA", "ar", ("Co.", "Est."), 15),
    BuyerCountry("QA", "ar", ("W.L.L.",), 3),
    BuyerCountry("KW", "ar", ("W.L.L.",), 3),
    BuyerCountry("OM", "ar", ("LLC",), 2),
    BuyerCountry("JO", "ar", ("LLC",), 2),
    BuyerCountry("EG", "ar", ("S.A.E.",), 8),
    BuyerCountry("MA", "fr", ("SARL",), 5),
    BuyerCountry("DZ", "fr", ("SARL", "EURL"), 3),
    BuyerCountry("TN", "fr", ("SARL",), 2),
    BuyerCountry("IL", "he", ("Ltd.",), 6),
    BuyerCountry("TR", "tr", ("A.Ş.", "Ltd. Şti."), 15),
    BuyerCountry("KZ", "ru", ("LLP",), 6),
    BuyerCountry("UZ", "ru", ("LLC",), 4),
    BuyerCountry("ZA", "en", ("(Pty) Ltd",), 10),
    BuyerCountry("NG", "en", ("Ltd",), 8),
    BuyerCountry("KE", "en", ("Ltd",), 4),
    BuyerCountry("GH", "en", ("Ltd",), 3),
    BuyerCountry("TZ", "en", ("Ltd",), 2),
    BuyerCountry("ET", "en", ("PLC",), 2),
    BuyerCountry("CI", "fr", ("SARL",), 2),
    BuyerCountry("SN", "fr", ("SARL",), 2),
)
"""Countries buyers come from, weighted roughly by Chinese and Korean export volumes."""
