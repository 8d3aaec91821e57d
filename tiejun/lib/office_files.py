"""What a Word or Excel file must look like before we keep it: the checks an upload of one
passes, shared by the member import (.xlsx, .xls) and meeting materials (.docx, .xlsx, .doc, .xls).

An OOXML file (.docx, .xlsx) is a zip: its central directory is read before anything is
inflated, so a zip bomb or a renamed archive is refused without unpacking it. The legacy
formats (.doc, .xls, and WPS files saved in them) are OLE2 compound files, known by their
first eight bytes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import IO

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# A real member workbook of 200,000 rows inflates to about 150 MB at a ratio near 10.
MAX_UNZIPPED_BYTES = 512 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_ENTRIES = 2000
_RATIO_CHECKED_FROM = 1024 * 1024  # tiny parts compress wildly and inflate to nothing


class OfficeFileError(ValueError):
    """Not the Word or Excel file it claims to be; `message` is Chinese and says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_ooxml(
    source: Path | IO[bytes],
    *,
    part: str,
    label: str,
    suffix: str,
    marker: str = "[Content_Types].xml",
) -> None:
    """A zip package holding `marker` and parts under `part` ("xl/", "word/"), not a zip bomb;
    `label` ("Excel 工作簿") and `suffix` (".xlsx") name it in the refusals. OOXML files carry
    [Content_Types].xml; an OFD file (GB/T 33190, the format of official documents) OFD.xml."""
    try:
        with zipfile.ZipFile(source) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise OfficeFileError(f"文件已损坏，无法作为 {label}打开。") from None
    names = {entry.filename for entry in entries}
    if marker not in names or not any(n.startswith(part) for n in names):
        raise OfficeFileError(f"文件不是 {label}（{suffix}），已拒绝。")
    if len(entries) > MAX_ZIP_ENTRIES:
        raise OfficeFileError("文件内部结构异常（条目过多），已拒绝。")
    unzipped = sum(entry.file_size for entry in entries)
    zipped = sum(entry.compress_size for entry in entries)
    big = [e for e in entries if e.file_size >= _RATIO_CHECKED_FROM]
    worst = max((e.file_size / max(e.compress_size, 1) for e in big), default=0.0)
    overall = unzipped / max(zipped, 1) if unzipped >= _RATIO_CHECKED_FROM else 0.0
    if unzipped > MAX_UNZIPPED_BYTES or max(worst, overall) > MAX_COMPRESSION_RATIO:
        raise OfficeFileError("文件解压后异常巨大（疑似压缩炸弹），已拒绝。")


# An .xlsx or .docx saved with an open password is no zip: Excel, WPS and Word wrap the
# encrypted package in an OLE2 file, next to the description of its encryption.
_ENCRYPTED_PACKAGE_STREAMS = {"EncryptedPackage", "EncryptionInfo"}


def is_password_protected(data: bytes) -> bool:
    """An OLE2 file that holds an encrypted OOXML package (it cannot be read without the
    password); False for anything else, a damaged file included."""
    import io

    from xlrd.compdoc import CompDoc  # xlrd reads the OLE2 directory for us

    if not data.startswith(OLE2_MAGIC):
        return False
    try:
        names = {entry.name for entry in CompDoc(data, logfile=io.StringIO()).dirlist}
    except Exception:  # a damaged directory: the file's own reader reports it
        return False
    return names >= _ENCRYPTED_PACKAGE_STREAMS


PASSWORD_PROTECTED = "文件设置了打开密码，无法读取；请在 Excel 或 WPS 中取消密码后重新上传。"
