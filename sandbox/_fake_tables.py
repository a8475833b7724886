"""The tables behind :mod:`sandbox.fake_people`: names with readings, area codes, banks.

Data, kept apart from the generator's logic. Everything here is common knowledge (frequent
names, real bank and area codes); nothing identifies a person.
"""

from __future__ import annotations

from itertools import accumulate

from systems.business_system import Gender

__all__ = [
    "AREA_CODES",
    "BRANCH_PLACES",
    "BUILDING_HEADS",
    "BUILDING_TAILS",
    "FAMILY_CUM_WEIGHTS",
    "FAMILY_NAMES",
    "GIVEN_NAMES",
    "KANJI_DIGITS",
    "LOCAL_AREA_CODES",
]


# ---------------------------------------------------------------------------------------
# Names as "漢字:カナ", most common first. Given names are split by the generation that
# carries them: parents born 1975–2005 rarely share names with children born after 2010.

_FAMILY = """
佐藤:サトウ 鈴木:スズキ 高橋:タカハシ 田中:タナカ 伊藤:イトウ 渡辺:ワタナベ 山本:ヤマモト
中村:ナカムラ 小林:コバヤシ 加藤:カトウ 吉田:ヨシダ 山田:ヤマダ 佐々木:ササキ 山口:ヤマグチ
松本:マツモト 井上:イノウエ 木村:キムラ 林:ハヤシ 斎藤:サイトウ 清水:シミズ 山崎:ヤマザキ
森:モリ 池田:イケダ 橋本:ハシモト 阿部:アベ 石川:イシカワ 山下:ヤマシタ 中島:ナカジマ
石井:イシイ 小川:オガワ 前田:マエダ 岡田:オカダ 長谷川:ハセガワ 藤田:フジタ 後藤:ゴトウ
近藤:コンドウ 村上:ムラカミ 遠藤:エンドウ 青木:アオキ 坂本:サカモト 斉藤:サイトウ 福田:フクダ
太田:オオタ 西村:ニシムラ 藤井:フジイ 金子:カネコ 岡本:オカモト 藤原:フジワラ 中野:ナカノ
三浦:ミウラ 原田:ハラダ 中川:ナカガワ 松田:マツダ 竹内:タケウチ 小野:オノ 田村:タムラ
中山:ナカヤマ 和田:ワダ 石田:イシダ 森田:モリタ 上田:ウエダ 原:ハラ 内田:ウチダ 柴田:シバタ
酒井:サカイ 宮崎:ミヤザキ 横山:ヨコヤマ 高木:タカギ 安藤:アンドウ 宮本:ミヤモト 大野:オオノ
小島:コジマ 谷口:タニグチ 今井:イマイ 工藤:クドウ 高田:タカダ 増田:マスダ 丸山:マルヤマ
杉山:スギヤマ 村田:ムラタ 大塚:オオツカ 小山:コヤマ 藤本:フジモト 平野:ヒラノ 新井:アライ
河野:コウノ 上野:ウエノ 武田:タケダ 野口:ノグチ 松井:マツイ 千葉:チバ 菅原:スガワラ
岩崎:イワサキ 木下:キノシタ 久保:クボ 佐野:サノ 野村:ノムラ 松尾:マツオ 市川:イチカワ
菊地:キクチ
"""

_MALE_PARENT = """
大輔:ダイスケ 拓也:タクヤ 健太:ケンタ 誠:マコト 直樹:ナオキ 達也:タツヤ 和也:カズヤ 翔太:ショウタ
大樹:ダイキ 亮:リョウ 健一:ケンイチ 剛:ツヨシ 浩二:コウジ 隆:タカシ 学:マナブ 哲也:テツヤ
雄太:ユウタ 拓海:タクミ 翔:ショウ 健:ケン 駿:シュン 涼太:リョウタ 翼:ツバサ 優斗:ユウト
航:ワタル 勇気:ユウキ 直人:ナオト 翔平:ショウヘイ 康介:コウスケ 智也:トモヤ 雅人:マサト
慎也:シンヤ 圭介:ケイスケ 俊介:シュンスケ 和樹:カズキ 洋平:ヨウヘイ 亮太:リョウタ 祐介:ユウスケ
貴之:タカユキ 修:オサム 秀樹:ヒデキ 浩:ヒロシ 聡:サトシ 大介:ダイスケ 健二:ケンジ 竜也:タツヤ
大地:ダイチ 一輝:カズキ
"""

_MALE_CHILD = """
蓮:レン 陽翔:ハルト 湊:ミナト 悠真:ユウマ 樹:イツキ 颯太:ソウタ 大和:ヤマト 陸:リク
悠人:ユウト 朝陽:アサヒ 蒼:アオイ 律:リツ 陽太:ヒナタ 結翔:ユイト 颯:ハヤテ 碧:アオイ
悠斗:ユウト 海斗:カイト 奏太:カナタ 陽向:ヒナタ 大翔:ヒロト 蒼空:ソラ 晴:ハル 岳:ガク
陸斗:リクト 瑛太:エイタ 湊斗:ミナト 伊織:イオリ 凛太郎:リンタロウ 悠希:ユウキ 航平:コウヘイ
新:アラタ 暖:ダン 蒼真:ソウマ 颯真:ソウマ 旭:アサヒ 絢斗:アヤト 陽:ハル 奏:カナデ
蒼大:ソウタ 悠翔:ユウト 琉生:ルイ 優真:ユウマ 瑛斗:エイト 拓真:タクマ 大雅:タイガ 遥斗:ハルト
"""

_FEMALE_PARENT = """
美咲:ミサキ 愛:アイ 彩:アヤ 恵:メグミ 裕子:ユウコ 由美:ユミ 真由美:マユミ 久美子:クミコ
智子:トモコ 直美:ナオミ 香織:カオリ 麻衣:マイ 舞:マイ 彩花:アヤカ 瞳:ヒトミ 明日香:アスカ
沙織:サオリ 由佳:ユカ 恵美:エミ 亜美:アミ 千尋:チヒロ 早紀:サキ 遥:ハルカ 美穂:ミホ
理恵:リエ 愛美:マナミ 友美:トモミ 綾香:アヤカ 美香:ミカ 真理子:マリコ 千秋:チアキ 里奈:リナ
瑞希:ミズキ 菜々子:ナナコ 沙也加:サヤカ 佳奈:カナ 萌:モエ 智美:トモミ 直子:ナオコ 優子:ユウコ
由香:ユカ 陽子:ヨウコ 真美:マミ 美紀:ミキ 七海:ナナミ 奈々:ナナ 結衣:ユイ
"""

_FEMALE_CHILD = """
陽菜:ヒナ 結菜:ユイナ 芽依:メイ 紬:ツムギ 陽葵:ヒマリ 澪:ミオ 莉子:リコ 咲良:サクラ
心春:コハル 結愛:ユア 杏:アン 美結:ミユ 楓:カエデ 花:ハナ 詩:ウタ 翠:スイ 琴音:コトネ
優奈:ユウナ 美羽:ミウ 葵:アオイ 凛:リン さくら:サクラ 彩葉:イロハ 栞:シオリ 乃愛:ノア
真央:マオ 美優:ミユ 杏奈:アンナ 朱里:アカリ 凪:ナギ 一花:イチカ 莉緒:リオ 日葵:ヒマリ
愛莉:アイリ 芽衣:メイ 結月:ユヅキ 美月:ミツキ 心結:ミユ 柚葉:ユズハ 紗良:サラ 莉愛:リア
花音:カノン 彩芽:アヤメ 優花:ユウカ 咲希:サキ ひなた:ヒナタ
"""


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _pairs(table: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for item in _words(table):
        kanji, kana = item.split(":")
        out.append((kanji, kana))
    return tuple(out)


FAMILY_NAMES = _pairs(_FAMILY)
# Roughly Zipf: 佐藤 turns up about five times as often as the hundredth name.
FAMILY_CUM_WEIGHTS = tuple(accumulate(1 / (rank + 25) for rank in range(len(FAMILY_NAMES))))
GIVEN_NAMES: dict[tuple[Gender, bool], tuple[tuple[str, str], ...]] = {
    ("男", False): _pairs(_MALE_PARENT),
    ("男", True): _pairs(_MALE_CHILD),
    ("女", False): _pairs(_FEMALE_PARENT),
    ("女", True): _pairs(_FEMALE_CHILD),
}

# ---------------------------------------------------------------------------------------
# Phones: the area code of the prefecture's capital (東京都: 23区 03, 多摩 042). Plausible
# for the prefecture, not exact for every town.

AREA_CODES = {
    "北海道": "011", "青森県": "017", "岩手県": "019", "宮城県": "022", "秋田県": "018",
    "山形県": "023", "福島県": "024", "茨城県": "029", "栃木県": "028", "群馬県": "027",
    "埼玉県": "048", "千葉県": "043", "神奈川県": "045", "新潟県": "025", "富山県": "076",
    "石川県": "076", "福井県": "0776", "山梨県": "055", "長野県": "026", "岐阜県": "058",
    "静岡県": "054", "愛知県": "052", "三重県": "059", "滋賀県": "077", "京都府": "075",
    "大阪府": "06", "兵庫県": "078", "奈良県": "0742", "和歌山県": "073", "鳥取県": "0857",
    "島根県": "0852", "岡山県": "086", "広島県": "082", "山口県": "083", "徳島県": "088",
    "香川県": "087", "愛媛県": "089", "高知県": "088", "福岡県": "092", "佐賀県": "0952",
    "長崎県": "095", "熊本県": "096", "大分県": "097", "宮崎県": "0985", "鹿児島県": "099",
    "沖縄県": "098",
}  # fmt: skip
LOCAL_AREA_CODES = {("神奈川県", "相模原市"): "042", ("神奈川県", "川崎市"): "044"}

# ---------------------------------------------------------------------------------------
# Banks: real 金融機関コード. Regional banks and 信用金庫 are offered to residents of their
# home prefecture only, with a branch named after the resident's city. Online-only banks are
# left out: their branch names (and codes) follow no pattern that could be made up.


BRANCH_PLACES = _words("""
本店営業部 新宿 渋谷 池袋 上野 銀座 横浜 大宮 千葉 八王子 立川 町田 吉祥寺 船橋 川崎 札幌 仙台
名古屋 梅田 難波 京都 神戸 広島 福岡
""")
KANJI_DIGITS = "〇一二三四五六七八九"

BUILDING_HEADS = _words("グリーン サン ロイヤル パーク リバーサイド シャトー エクセル フォレスト")
BUILDING_TAILS = _words("ハイツ コーポ マンション レジデンス コート ヒルズ ハウス メゾン")
