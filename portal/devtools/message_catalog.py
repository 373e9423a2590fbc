"""Read gettext `.po` catalogs and write `.mo` files in pure Python.

`manage.py compilemessages` uses GNU gettext's `msgfmt` when it is installed; on a machine
without it (a fresh virtualenv, no apt) the portal's own `compilemessages` command falls back to
`compile_catalog` below, so the staff pages speak Vietnamese without a system package. The
completeness test reads the committed catalog with `read_catalog` too.
"""

import ast
import struct
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    """One message of a catalog: its id (with context and plural) and its translations."""

    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def is_translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values()) and "fuzzy" not in self.flags

    @property
    def key(self) -> str:
        """The id as a `.mo` file stores it: context EOT id NUL plural."""
        key = self.msgid
        if self.msgid_plural is not None:
            key += "\0" + self.msgid_plural
        if self.msgctxt is not None:
            key = self.msgctxt + "\x04" + key
        return key


def read_catalog(path: Path) -> list[Entry]:
    """The entries of a `.po` file; the header (empty msgid) comes first."""
    entries: list[Entry] = []
    current = Entry()
    section: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal current, started, section
        if started:
            entries.append(current)
        current, started, section = Entry(), False, None

    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if started and section is not None:
                finish()
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#:"):
            if started and section is not None:
                finish()
            current.references.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _append(current, section, ast.literal_eval(line))
        else:
            keyword, _, rest = line.partition(" ")
            if keyword in ("msgctxt", "msgid") and started and section and section[0] == "msgstr":
                finish()
            started = True
            if keyword.startswith("msgstr["):
                section = ("msgstr", int(keyword[7:-1]))
            else:
                section = (keyword, 0)
            _set(current, section, ast.literal_eval(rest))
    finish()
    return entries


def _set(entry: Entry, section: tuple[str, int], text: str) -> None:
    name, index = section
    if name == "msgstr":
        entry.msgstr[index] = text
    else:
        setattr(entry, name, text)


def _append(entry: Entry, section: tuple[str, int] | None, text: str) -> None:
    if section is None:
        return
    name, index = section
    if name == "msgstr":
        entry.msgstr[index] += text
    else:
        setattr(entry, name, getattr(entry, name) + text)


def compile_catalog(po_path: Path, mo_path: Path) -> int:
    """Write the translated entries of `po_path` to `mo_path`; returns how many were written."""
    messages = {
        entry.key: "\0".join(entry.msgstr[index] for index in sorted(entry.msgstr))
        for entry in read_catalog(po_path)
        if entry.is_translated or entry.msgid == ""
    }
    keys = sorted(messages)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        encoded_id, encoded_str = key.encode(), messages[key].encode()
        offsets.append((len(ids), len(encoded_id), len(strs), len(encoded_str)))
        ids += encoded_id + b"\0"
        strs += encoded_str + b"\0"
    header_size = 7 * 4
    ids_start = header_size + 16 * len(keys)
    strs_start = ids_start + len(ids)
    id_table, str_table = [], []
    for id_offset, id_length, str_offset, str_length in offsets:
        id_table += [id_length, ids_start + id_offset]
        str_table += [str_length, strs_start + str_offset]
    output = struct.pack(
        "Iiiiiii",
        0x950412DE,  # the .mo magic number
        0,  # format revision
        len(keys),
        header_size,
        header_size + 8 * len(keys),
        0,  # no hash table
        0,
    )
    output += struct.pack(f"{len(id_table)}i", *id_table)
    output += struct.pack(f"{len(str_table)}i", *str_table)
    output += ids + strs
    mo_path.write_bytes(output)
    return len(keys) - 1
