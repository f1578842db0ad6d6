"""Keep third-party chatter off stderr while models load and run.

transformers logs a "BertModel LOAD REPORT" table at warning level when the packaged
MiniLM is loaded, model2vec and sentence-transformers draw tqdm bars, and torch and
friends raise Python warnings. labscout reports its own progress (:mod:`labscout.progress`)
and its own errors, so within :func:`quiet_models` those loggers only pass errors, tqdm
bars are off and Python warnings are not shown. Errors still raise as exceptions.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

LOGGERS = ("transformers", "sentence_transformers", "huggingface_hub", "model2vec", "torch")
"""Loggers of the model stack, quietened to errors."""


def _mute_libraries() -> None:
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:  # transformers keeps its own verbosity and progress-bar switches
        from transformers.utils import logging as hf_logging
    except ImportError:
        return
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


_TQDM_LOCK = threading.Lock()
_tqdm_depth = 0  # quiet blocks open at once (the web app embeds in several threads)
_tqdm_init: Any = None  # tqdm's own __init__ while a block is open


def _tqdm_off() -> None:
    """Every tqdm bar made from now on is disabled (tqdm reads TQDM_DISABLE only when it
    is imported, so the class itself is told)."""
    global _tqdm_depth, _tqdm_init
    try:
        from tqdm import std
    except ImportError:
        return
    with _TQDM_LOCK:
        _tqdm_depth += 1
        if _tqdm_depth > 1:
            return
        original = _tqdm_init = std.tqdm.__init__

        def silent_init(self: Any, *args: Any, **kwargs: Any) -> None:
            if len(args) > 10:  # disable given by position (the 11th parameter)
                args = (*args[:10], True, *args[11:])
            else:
                kwargs["disable"] = True
            original(self, *args, **kwargs)

        std.tqdm.__init__ = silent_init  # type: ignore[method-assign]


def _tqdm_on() -> None:
    global _tqdm_depth, _tqdm_init
    with _TQDM_LOCK:
        if _tqdm_init is None:
            return
        _tqdm_depth -= 1
        if _tqdm_depth == 0:
            from tqdm import std

            std.tqdm.__init__ = _tqdm_init  # type: ignore[method-assign]
            _tqdm_init = None


@contextmanager
def quiet_models() -> Iterator[None]:
    """Load or run a model with nothing but errors reaching stderr."""
    _tqdm_off()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _mute_libraries()
            yield
            _mute_libraries()  # a library imported inside the block resets its own level
    finally:
        _tqdm_on()
