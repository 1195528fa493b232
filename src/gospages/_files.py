"""Reading files people hand to gospages (registries, policies): bounded, in the encodings
Russian offices save text in, with the problem said in Russian."""

from __future__ import annotations

import codecs
from pathlib import Path

__all__ = [
    "ENCODINGS",
    "FileProblem",
    "os_error_text",
    "read_bounded",
    "read_post_text",
    "read_text",
]

ENCODINGS = "UTF-8, UTF-16 (с BOM), Windows-1251"
"""The encodings :func:`read_text` tries, as a user reads them."""


class FileProblem(ValueError):
    """What is wrong with a file, in Russian, without its name (the caller adds it)."""


def os_error_text(error: OSError, path: object = None) -> str:
    """What went wrong with a file, in Russian, naming it: «Файл не найден: реестр.xlsx»
    instead of ``[Errno 2] No such file or directory: 'реестр.xlsx'``."""
    name = path if path is not None else error.filename
    where = f": {name}" if name is not None else ""
    if isinstance(error, FileNotFoundError):
        return f"Файл не найден{where} (проверьте имя и папку)"
    if isinstance(error, IsADirectoryError):
        return f"Это папка, а не файл{where}"
    if isinstance(error, NotADirectoryError):
        return f"Путь проходит через файл, а не через папку{where}"
    if isinstance(error, PermissionError):
        return f"Нет доступа к файлу{where}"
    return f"Не удалось прочитать или записать файл{where}: {error.strerror or error}"


def _size(size: int) -> str:
    if size >= 10 * 1024 * 1024:
        return f"{size / (1024 * 1024):g} МБ"
    return f"{size // 1024} КБ"


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, refusing a file over ``limit`` bytes without reading more
    than ``limit + 1`` of them. ``what`` names the kind of file («реестры», «политики»)."""
    with path.open("rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise FileProblem(
            f"файл больше {_size(limit)}: gospages не читает {what} такого размера "
            "(ограничение против испорченных и враждебных файлов)"
        )
    return data


def read_text(path: Path, limit: int, what: str) -> str:
    """The text of ``path``: UTF-8 (with Excel's BOM or without), UTF-16 with a BOM
    (Excel's «Текст Юникод»), else Windows-1251 (old Excel and Notepad)."""
    data = read_bounded(path, limit, what)
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise FileProblem(
            f"не удалось прочитать как текст: пробованы кодировки {ENCODINGS}"
        ) from None
    if "\x00" in text:
        raise FileProblem(
            f"это не текстовый файл (в нём нулевые байты): пробованы кодировки {ENCODINGS}"
        )
    return text


#: The largest text file of a post gospages reads.
POST_TEXT_LIMIT = 5 * 1024 * 1024
#: The largest Word document of a post gospages reads.
POST_DOCX_LIMIT = 50 * 1024 * 1024


def read_post_text(path: Path) -> str:
    """A post's draft: a Word document (.docx) or text in UTF-8, UTF-16 with a BOM or
    Windows-1251 (as press releases arrive); :class:`FileProblem` in Russian otherwise.
    Missing files and other OS errors raise ``OSError`` (see :func:`os_error_text`)."""
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise FileProblem(
            "старый формат Word (.doc) gospages не читает: сохраните документ как .docx "
            "(«Файл → Сохранить как → Документ Word») или как текст .txt"
        )
    if suffix != ".docx":
        return read_text(path, POST_TEXT_LIMIT, "тексты постов")
    if path.stat().st_size > POST_DOCX_LIMIT:  # also: a missing file fails here, in Russian
        raise FileProblem("файл больше 50 МБ: gospages не читает документы такого размера")
    try:
        import docx
    except ImportError:
        raise FileProblem(
            "чтобы читать документы Word (.docx), установите пакет python-docx: "
            "pip install 'gospages[docx]' (или сохраните текст как .txt)"
        ) from None
    try:
        document = docx.Document(str(path))
    except Exception:  # python-docx raises zipfile, KeyError, lxml errors on a bad file
        raise FileProblem(
            "не удалось открыть как документ Word (.docx): файл повреждён или это файл "
            "другого формата с расширением .docx"
        ) from None
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)
