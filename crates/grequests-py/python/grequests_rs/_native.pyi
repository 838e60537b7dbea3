"""Types of the native module (the engine); the package wraps all of it."""

from collections.abc import Iterable, Iterator
from typing import Any, Optional, Tuple, Union, final

__all__ = [
    "NativeClient", "NativeBudget", "PoolStatus", "NativeResponse", "NativeImap", "NativeError",
    "ENGINE_VERSION", "DEFAULT_MAX_BODY_SIZE", "DEFAULT_POOL_MAXSIZE", "DEFAULT_POOL_MAX_IDLE",
    "DEFAULT_LOW_SPEED_LIMIT", "DEFAULT_MAX_DECOMPRESSION_RATIO", "DEFAULT_MAX_DECODED_BODY_SIZE",
]

ENGINE_VERSION: str
DEFAULT_MAX_BODY_SIZE: int
DEFAULT_POOL_MAXSIZE: int
DEFAULT_POOL_MAX_IDLE: int
DEFAULT_LOW_SPEED_LIMIT: Tuple[int, float]
DEFAULT_MAX_DECOMPRESSION_RATIO: Optional[int]
DEFAULT_MAX_DECODED_BODY_SIZE: Optional[int]

class NativeError(Exception):
    """``args == (kind, message)``."""

@final
class NativeClient:
    def __new__(
        cls,
        *,
        cookies: bool = True,
        verify: bool = True,
        ca_file: Optional[str] = None,
        cert: Optional[str] = None,
        key: Optional[str] = None,
        proxies: Optional[dict[str, str]] = None,
        trust_env: bool = True,
        max_redirects: int = 30,
        resolve: Optional[dict[str, Optional[str]]] = None,
        pool_idle_timeout: Optional[float] = None,
        max_body_size: Optional[int] = ...,
        pool_maxsize: int = ...,
        pool_max_idle: int = ...,
        budget: Optional[NativeBudget] = None,
        max_connections_per_host: Optional[int] = None,
        low_speed_limit: Optional[Tuple[int, float]] = ...,
        max_decompression_ratio: Optional[int] = ...,
        max_decoded_body_size: Optional[int] = ...,
    ) -> NativeClient: ...
    def cookies(self) -> list[Tuple[str, str, str, str, bool]]: ...
    def pool_status(self) -> PoolStatus: ...
    def set_cookie(self, set_cookie: str, url: str) -> None: ...

@final
class NativeBudget:
    def __new__(cls, max: Optional[int] = None) -> NativeBudget: ...
    @property
    def max(self) -> int: ...
    @property
    def open(self) -> int: ...

@final
class PoolStatus:
    @property
    def open(self) -> int: ...
    @property
    def idle(self) -> int: ...
    @property
    def in_use(self) -> int: ...
    @property
    def waiting(self) -> int: ...
    @property
    def budget(self) -> int: ...
    @property
    def budget_open(self) -> int: ...

@final
class NativeResponse:
    status: int
    reason: str
    url: str
    version: str
    elapsed: float
    history: list[NativeResponse]
    # {lowercase name: (name, value)}: a CaseInsensitiveDict's store, repeats joined.
    def headers(self) -> dict[str, Tuple[str, str]]: ...
    def request(self) -> Tuple[str, str, dict[str, Tuple[str, str]]]: ...
    def cookies(self) -> list[Tuple[str, str, Optional[str], Optional[str]]]: ...
    def content(self) -> Optional[bytes]: ...
    # (status, url, [(name, value)], elapsed_ms, body or None): a fetched table's row.
    def row(self, body: bool) -> Tuple[int, str, list[Tuple[str, str]], float, Optional[bytes]]: ...
    def read_chunk(self) -> Optional[bytes]: ...
    def close(self) -> None: ...

# (request, response, error): error is an exception, or (kind, message).
_Outcome = Tuple[Any, Optional[NativeResponse], Union[None, BaseException, Tuple[str, str]]]

@final
class NativeImap(Iterator[Tuple[int, _Outcome]]):
    def __new__(
        cls, items: Iterable[Tuple[Any, Any]], size: Optional[int] = None,
        gtimeout: Optional[float] = None, keeps_results: bool = False,
    ) -> NativeImap: ...
    def __iter__(self) -> NativeImap: ...
    def __next__(self) -> Tuple[int, _Outcome]: ...
    def close(self) -> None: ...
