"""Реестр официальных страниц в файлах: YAML, CSV и XLSX.

Запуск: python examples/10_registry.py

Пример записывает образец реестра (область из песочницы gospages.testing) во временную
папку во всех трёх форматах, читает таблицу Excel обратно, показывает организации без
страниц и то, как выглядят ошибки в файле. Ключи и сеть не нужны.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from gospages import Platform
from gospages.registry import RegistryError, load_registry, save_registry
from gospages.testing import build_region


def main() -> None:
    registry = build_region(seed=0).registry
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in ("реестр.yaml", "реестр.csv", "реестр.xlsx"):
            save_registry(registry, folder / name)
            print(f"записан {name}: {(folder / name).stat().st_size} байт")

        loaded = load_registry(folder / "реестр.xlsx")
        assert loaded == registry
        print(f"\nпрочитан реестр.xlsx: организаций {len(loaded)}, страниц {len(loaded.pages())}")

        print("\nБез страниц:")
        for org in loaded.without_pages():
            print(f"  {org.name} ({org.id})")
        print("Нет официальной страницы во ВКонтакте или Одноклассниках (2523-р):")
        for org in loaded.without_pages(Platform.VK, Platform.OK):
            print(f"  {org.name} ({org.id})")

        # A table as a district keeps it by hand, with two mistakes in it.
        (folder / "район.csv").write_text(
            "id;название;вид;уровень;родитель;страница\n"
            "ensk;Администрация Энского района;ОМСУ;район;;https://vk.com/adm_ensk\n"
            "ensk;Администрация Энского района;ОМСУ;район;;https://ok.ru/group/53038939046008\n"
            "lug;Администрация Луговского сельского поселения;ОМСУ;село;ensk;\n"
            "kam;Администрация Каменского сельского поселения;ОМСУ;поселение;enks;\n",
            encoding="utf-8-sig",
        )
        try:
            load_registry(folder / "район.csv")
        except RegistryError as error:
            print(f"\n{error.message.replace(tmp, '…')}")


if __name__ == "__main__":
    main()
