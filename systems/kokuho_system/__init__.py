"""The 国民健康保険 資格管理システム (a legacy web system: Shift_JIS, frames, a 住所検索 pop-up).

Registered in ``system.yaml``; the sandbox stand-in is :mod:`sandbox.legacy`.
"""
