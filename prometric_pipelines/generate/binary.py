"""PostgreSQL binary COPY encoding of Arrow columns, without a Python loop over rows.

PostgreSQL parses binary COPY several times faster than CSV (measured here: 4.8× for
`stock_movements`, 2× for `audit_logs`), since uuids, timestamps and numerics arrive as their
internal bytes. Each column becomes an Arrow binary array of complete fields (a 4-byte length and
the value), and Arrow's `binary_join_element_wise` concatenates a row's fields in C++; the joined
buffer is the COPY payload. NULL fields are the length -1 with no value.

Supported column types: uuid, timestamp, date, time, boolean, integer, bigint, numeric, text and
varchar, jsonb. A table with any other column type (arrays) is written as CSV instead.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import types as sa_types
from sqlalchemy.dialects import postgresql

from prometric_pipelines.db.schema import metadata

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
NULL_FIELD = b"\xff\xff\xff\xff"
_POSTGRES_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in Unix microseconds
_POSTGRES_EPOCH_DAYS = 10_957
_HEX_VALUE = np.full(256, 0, dtype=np.uint8)
_HEX_VALUE[np.frombuffer(b"0123456789", np.uint8)] = np.arange(10)
_HEX_VALUE[np.frombuffer(b"abcdef", np.uint8)] = np.arange(10, 16)
_HEX_VALUE[np.frombuffer(b"ABCDEF", np.uint8)] = np.arange(10, 16)
_UUID_HEX_POSITIONS = np.array([i for i in range(36) if i not in (8, 13, 18, 23)])
# two ASCII hex digits read as one native uint16 → the byte they spell (65,536-entry table)
_HEX_PAIR = np.zeros(65_536, dtype=np.uint8)
for _high in range(256):
    for _low in range(256):
        _pair = np.frombuffer(bytes([_high, _low]), np.uint16)[0]
        _HEX_PAIR[_pair] = (_HEX_VALUE[_high] << 4) | _HEX_VALUE[_low]
_NIL_UUID = "00000000-0000-0000-0000-000000000000"
# numerics: values must stay below this in absolute value (fits int64 once scaled; real amounts do)
_NUMERIC_LIMIT = 9e12


class Unsupported(Exception):
    """This column cannot be encoded here: the caller writes the batch as CSV."""


def _fields(fixed: np.ndarray, valid: np.ndarray | None) -> pa.Array:
    """(n, width) value bytes → binary array of `int32 width` + value, NULL where not valid."""
    count, width = fixed.shape
    block = np.empty((count, 4 + width), dtype=np.uint8)
    block[:, :4] = np.frombuffer(np.array([width], ">i4").tobytes(), np.uint8)
    block[:, 4:] = fixed
    offsets = np.arange(0, (count + 1) * (4 + width), 4 + width, dtype=np.int32)
    mask = None if valid is None or valid.all() else pa.array(valid).buffers()[1]
    return pa.Array.from_buffers(pa.binary(), count, [mask, pa.py_buffer(offsets), pa.py_buffer(block.ravel())])


def _big_endian(values: np.ndarray, dtype: str) -> np.ndarray:
    return np.ascontiguousarray(values.astype(dtype)).view(np.uint8).reshape(len(values), -1)


def _valid(array: pa.Array) -> np.ndarray | None:
    if array.null_count == 0:
        return None
    return np.asarray(array.is_valid().to_numpy(zero_copy_only=False))


def _uuid(array: pa.Array) -> pa.Array:
    valid = _valid(array)
    text = pc.fill_null(array.cast(pa.string()), _NIL_UUID) if valid is not None else array.cast(pa.string())
    lengths = pc.binary_length(text).to_numpy()
    if len(text) and (lengths != 36).any():
        raise Unsupported("uuid text that is not 36 characters")
    offsets = np.frombuffer(text.buffers()[1], np.int32)[text.offset : text.offset + len(text) + 1]
    data = np.frombuffer(text.buffers()[2], np.uint8)[offsets[0] : offsets[-1]].reshape(len(text), 36)
    hex_digits = np.ascontiguousarray(data[:, _UUID_HEX_POSITIONS])
    return _fields(_HEX_PAIR[hex_digits.view(np.uint16)], valid)


def _timestamp(array: pa.Array) -> pa.Array:
    valid = _valid(array)
    micros = pc.fill_null(array.cast(pa.timestamp("us")), 0).cast(pa.int64()).to_numpy()
    return _fields(_big_endian(micros - _POSTGRES_EPOCH_US, ">i8"), valid)


def _date(array: pa.Array) -> pa.Array:
    valid = _valid(array)
    days = pc.fill_null(array.cast(pa.date32()), 0).cast(pa.int32()).to_numpy()
    return _fields(_big_endian(days.astype(np.int64) - _POSTGRES_EPOCH_DAYS, ">i4"), valid)


def _time(array: pa.Array) -> pa.Array:
    valid = _valid(array)
    micros = pc.fill_null(array.cast(pa.time64("us")), 0).cast(pa.int64()).to_numpy()
    return _fields(_big_endian(micros, ">i8"), valid)


def _integer(array: pa.Array, dtype: str) -> pa.Array:
    valid = _valid(array)
    values = pc.fill_null(array, 0).to_numpy(zero_copy_only=False)
    return _fields(_big_endian(np.asarray(values, dtype=np.int64), dtype), valid)


def _boolean(array: pa.Array) -> pa.Array:
    valid = _valid(array)
    values = np.asarray(pc.fill_null(array, False).to_numpy(zero_copy_only=False), dtype=np.uint8)
    return _fields(values.reshape(-1, 1), valid)


def _numeric(array: pa.Array, precision: int, scale: int) -> pa.Array:
    """NUMERIC in PostgreSQL's base-10000 form with a fixed number of digit groups per column;
    the server strips the leading and trailing zero groups."""
    values = array.cast(pa.float64()).to_numpy(zero_copy_only=False)
    valid = ~np.isnan(values)
    values = np.where(valid, values, 0.0)
    if len(values) and np.abs(values).max() >= _NUMERIC_LIMIT:
        raise Unsupported("numeric too large for the fixed layout")
    integer_groups = -(-(precision - scale) // 4)
    fraction_groups = -(-scale // 4)
    groups = integer_groups + fraction_groups
    scaled = np.rint(np.abs(values) * 10**scale).astype(np.int64) * 10 ** (4 * fraction_groups - scale)
    digits = np.stack([(scaled // 10_000 ** (groups - 1 - k)) % 10_000 for k in range(groups)], axis=1)
    head = np.empty((len(values), 4), dtype=np.int64)
    head[:, 0] = groups
    head[:, 1] = integer_groups - 1  # weight of the first group
    head[:, 2] = np.where(values < 0, 0x4000, 0)
    head[:, 3] = scale
    body = np.concatenate([head, digits], axis=1).astype(">i2")
    return _fields(np.ascontiguousarray(body).view(np.uint8).reshape(len(values), -1), None if valid.all() else valid)


def _text(array: pa.Array, prefix: bytes = b"") -> pa.Array:
    text = array.cast(pa.string())
    lengths = pc.fill_null(pc.binary_length(text), 0).to_numpy().astype(np.int64) + len(prefix)
    offsets = np.arange(0, (len(text) + 1) * 4, 4, dtype=np.int32)
    length_fields = pa.Array.from_buffers(
        pa.binary(), len(text), [None, pa.py_buffer(offsets), pa.py_buffer(_big_endian(lengths, ">i4").ravel())]
    )
    parts = [length_fields, pa.scalar(prefix, pa.binary()), text.cast(pa.binary())]
    # a NULL text makes the whole field NULL (emit_null); the row join writes it as length -1
    return pc.binary_join_element_wise(*parts, pa.scalar(b"", pa.binary()), null_handling="emit_null")


def _encoder(column_type: sa_types.TypeEngine):
    if isinstance(column_type, sa_types.ARRAY | postgresql.ARRAY):
        return None
    if isinstance(column_type, sa_types.Uuid | postgresql.UUID):
        return _uuid
    if isinstance(column_type, postgresql.JSONB):
        return lambda array: _text(array, prefix=b"\x01")  # jsonb's binary form: version 1, then the text
    if isinstance(column_type, sa_types.DateTime):
        return _timestamp
    if isinstance(column_type, sa_types.Date):
        return _date
    if isinstance(column_type, sa_types.Time):
        return _time
    if isinstance(column_type, sa_types.Boolean):
        return _boolean
    if isinstance(column_type, sa_types.BigInteger):
        return lambda array: _integer(array, ">i8")
    if isinstance(column_type, sa_types.Integer):
        return lambda array: _integer(array, ">i4")
    if isinstance(column_type, sa_types.Numeric):
        return lambda array: _numeric(array, column_type.precision, column_type.scale)
    if isinstance(column_type, sa_types.String):
        return _text
    return None


def encode(table: str, names: list[str], arrays: list[pa.Array]) -> list | None:
    """The binary COPY payload (buffers to send in order) of these columns of `table`, or None when a
    column type is not supported."""
    columns = metadata.tables[table].c
    fields = []
    for name, array in zip(names, arrays, strict=True):
        encoder = _encoder(columns[name].type)
        if encoder is None:
            return None
        try:
            fields.append(encoder(array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array))
        except Unsupported:
            return None
    count = pa.scalar(np.array([len(names)], ">i2").tobytes(), pa.binary())
    rows = pc.binary_join_element_wise(
        count, *fields, pa.scalar(b"", pa.binary()), null_handling="replace", null_replacement=NULL_FIELD
    )
    offsets = np.frombuffer(rows.buffers()[1], np.int32)[rows.offset : rows.offset + len(rows) + 1]
    body = rows.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0])) if len(rows) else b""
    return [HEADER, body, TRAILER]
