"""``CaseInsensitiveDict``, as requests' (headers are looked up in any case), and
``PoolStatus``."""

from collections.abc import ItemsView, Mapping, MutableMapping
from typing import NamedTuple


class PoolStatus(NamedTuple):
    """What a session's connection pools hold: ``open`` connections, of which ``idle`` and
    ``in_use``; new ones ``waiting`` for the connection budget; the ``budget`` and how many
    connections are open under it (``budget_open``), whichever session made them."""

    open: int
    idle: int
    in_use: int
    waiting: int
    budget: int
    budget_open: int


class CaseInsensitiveDict(MutableMapping):
    """A dict whose keys are matched without regard to case; the last case set is kept."""

    __slots__ = ("_store",)

    def __init__(self, data=None, **kwargs):
        self._store = {}
        self.update(data or {}, **kwargs)

    def __setitem__(self, key, value):
        self._store[key.lower()] = (key, value)

    def __getitem__(self, key):
        return self._store[key.lower()][1]

    def __delitem__(self, key):
        del self._store[key.lower()]

    def __iter__(self):
        return (casedkey for casedkey, _ in self._store.values())

    def __len__(self):
        return len(self._store)

    def __contains__(self, key):
        # Mapping's default fetches the value and catches KeyError: twice the work, on the
        # hot path of every response's headers.
        return key.lower() in self._store

    def items(self):
        return _Items(self)

    @classmethod
    def over(cls, store):
        """A dict over ``store``, ``{lowercase key: (key, value)}``, taken as it is: the
        engine builds a response's headers in this form (a repeated name's values joined
        with ``", "``, as requests keeps them)."""
        # Not through __init__: an empty update() per response is a fifth of its cost.
        headers = cls.__new__(cls)
        headers._store = store
        return headers

    def lower_items(self):
        """``(lowercase key, value)`` pairs."""
        return ((lower, pair[1]) for lower, pair in self._store.items())

    def __eq__(self, other):
        if isinstance(other, Mapping):
            other = CaseInsensitiveDict(other)
        else:
            return NotImplemented
        return dict(self.lower_items()) == dict(other.lower_items())

    def copy(self):
        return CaseInsensitiveDict(self._store.values())

    def __repr__(self):
        return str(dict(self.items()))


class _Items(ItemsView):
    """``items()`` read straight from the store, which holds ``(key, value)`` already."""

    __slots__ = ()

    def __iter__(self):
        return iter(self._mapping._store.values())
