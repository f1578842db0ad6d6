"""Keep third-party chatter off stderr while models load and run.

transformers logs a "BertModel LOAD REPORT" table at warning level when the packaged
MiniLM is loaded, model2vec and sentence-transformers draw tqdm bars, and torch and
friends raise Python warnings. labscout reports its own progress (:mod:`labscout.progress`)
and its own errors, so within :func:`quiet_models` those loggers only pass errors, tqdm
bars are off and Python warnings are not shown. Errors still raise as exceptions.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def quiet_models() -> Iterator[None]:
    """Load or run a model with nothing but errors reaching stderr."""
    old_tqdm = os.environ.get("TQDM_DISABLE")
    os.environ["TQDM_DISABLE"] = "1"  # tqdm >= 4.66 reads this when a bar is made
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _mute_libraries()
            yield
            _mute_libraries()  # a library imported inside the block resets its own level
    finally:
        if old_tqdm is None:
            os.environ.pop("TQDM_DISABLE", None)
        else:
            os.environ["TQDM_DISABLE"] = old_tqdm
