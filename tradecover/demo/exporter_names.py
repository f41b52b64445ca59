"""Name parts of the demo book's exporters: Chinese and Korean regions with their towns
and typical goods, industry words and brand words.

Every name is assembled from parts, so the book reads like a real one without naming
any real company on purpose.  The tables are data only; the drawing happens in
:mod:`tradecover.demo.book` with the book's own ``random.Random``.  The buyers' name
parts are :mod:`tradecover.demo.buyer_names`.
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
    ExporterRegion(
        "CN-ZJ",
        "CN",
        (
            "Hangzhou",
            "Ningbo",
            "Wenzhou",
            "Shaoxing",
            "Yiwu",
            "Jinhua",
            "Taizhou",
            "Huzhou",
            "Jiaxing",
            "Cixi",
        ),
        ("61", "62", "63", "94", "95", "85", "73", "84", "96", "39"),
        20,
    ),
    ExporterRegion(
        "CN-GD",
        "CN",
        (
            "Shenzhen",
            "Guangzhou",
            "Dongguan",
            "Foshan",
            "Zhongshan",
            "Shantou",
            "Huizhou",
            "Jiangmen",
            "Chaozhou",
        ),
        ("85", "84", "94", "95", "39", "64", "42", "90", "83", "69"),
        22,
    ),
    ExporterRegion(
        "CN-JS",
        "CN",
        ("Suzhou", "Wuxi", "Changzhou", "Nanjing", "Nantong", "Kunshan", "Yangzhou", "Jiangyin"),
        ("84", "85", "61", "62", "73", "90", "29", "54", "87"),
        14,
    ),
    ExporterRegion(
        "CN-FJ",
        "CN",
        ("Xiamen", "Fuzhou", "Quanzhou", "Jinjiang", "Putian", "Zhangzhou", "Shishi"),
        ("64", "61", "62", "42", "69", "03", "95", "68", "44"),
        10,
    ),
    ExporterRegion(
        "CN-SD",
        "CN",
        ("Qingdao", "Yantai", "Weifang", "Jinan", "Weihai", "Linyi", "Zibo", "Rizhao"),
        ("84", "87", "40", "03", "20", "29", "44", "73", "16"),
        10,
    ),
    ExporterRegion(
        "CN-SH", "CN", ("Shanghai",), ("84", "85", "90", "30", "29", "33", "62", "87"), 6
    ),
    ExporterRegion("KR-11", "KR", ("Seoul",), ("33", "62", "61", "85", "42", "95", "90"), 5),
    ExporterRegion("KR-26", "KR", ("Busan",), ("03", "89", "87", "64", "73", "84", "16"), 4),
    ExporterRegion(
        "KR-41",
        "KR",
        ("Suwon", "Ansan", "Hwaseong", "Siheung", "Bucheon", "Pyeongtaek", "Seongnam"),
        ("85", "84", "90", "39", "87", "33"),
        5,
    ),
    ExporterRegion(
        "KR-48",
        "KR",
        ("Changwon", "Gimhae", "Geoje", "Yangsan", "Jinju"),
        ("84", "87", "89", "73", "85"),
        2,
    ),
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
    "Hengda",
    "Xinyuan",
    "Jinhai",
    "Huamei",
    "Tianli",
    "Ruifeng",
    "Yongsheng",
    "Kaixuan",
    "Haitian",
    "Baolong",
    "Mingda",
    "Dongfang",
    "Xiangyu",
    "Jiahe",
    "Shunfa",
    "Fuxing",
    "Hongxin",
    "Zhongcheng",
    "Lianfa",
    "Boyuan",
    "Chuangxin",
    "Huaxia",
    "Jinlong",
    "Shengtai",
    "Yuanda",
    "Taifeng",
    "Xinhua",
    "Guangming",
    "Anda",
    "Weiye",
    "Huarui",
    "Longsheng",
    "Zhenghe",
    "Haoyu",
    "Jiayuan",
    "Minghui",
    "Sanhe",
    "Tongda",
    "Xinglong",
    "Yida",
)
"""Auspicious trade-name syllables common in Chinese company names (pinyin)."""

KOREAN_BRAND_WORDS: Final = (
    "Hanil",
    "Samjin",
    "Dongyang",
    "Seyoung",
    "Woojin",
    "Daewon",
    "Hanbit",
    "Sejin",
    "Taesung",
    "Jinwoo",
    "Saehan",
    "Kumho",
    "Shinil",
    "Daesung",
    "Hwaseung",
    "Yujin",
    "Sunjin",
    "Dongil",
    "Kyungdong",
    "Haeyang",
    "Mirae",
    "Nuri",
    "Saerom",
    "Gaon",
)
"""Trade-name words common in Korean company names (Revised Romanization)."""

ECOMMERCE_WORDS: Final = ("E-Commerce", "Cross-Border Trading", "Global Trading", "Online Trading")
"""Trades of cross-border e-commerce sellers."""
