"""THULAC's Viterbi decoder, vectorised with NumPy: the same integer arithmetic, the same choices.

THULAC (PyPI ``thulac``) is pure Python, and its decoder (``AlphaBeta.dbDecode``) loops over
every character, every allowed label and every allowed predecessor label: about 85 % of its
tagging time, at about 1,000 characters a second here. Its scores are integer sums of integer
weights, so a NumPy decoder over ``int64`` computes exactly the same numbers; ties are broken
as THULAC breaks them (the first predecessor in its own list order, the first final label in
the allowed list's order), and so are its quirks (a label with no allowed predecessor is a dead
end that keeps its own emission score, and may still be chosen last). The tags, and so every
span, are THULAC's own (the tests compare this decoder with THULAC's on lattices with many ties
and on the article).

:func:`use_vectorised_decoder` puts it in place of the decoder of one loaded ``thulac.thulac``
where the library's internals are as expected (``thulac`` 0.2.x), and leaves THULAC's own
otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

#: A score no path reaches: sums of two stay far inside int64.
UNREACHABLE = -(1 << 60)

Ints = npt.NDArray[np.int64]


def allowed(labels: Sequence[int]) -> list[int]:
    """A THULAC label list up to its ``-1`` terminator.

    >>> allowed([3, 5, -1, 7])
    [3, 5]
    """
    out = []
    for label in labels:
        if label == -1:
            break
        out.append(label)
    return out


def transition_matrix(weights: Sequence[int], predecessors: Sequence[Sequence[int]], size: int) -> Ints:
    """``weights[k * size + j]`` where ``k`` may precede ``j`` (``predecessors[j]``), else :data:`UNREACHABLE`.

    >>> matrix = transition_matrix([1, 2, 3, 4], [[0, 1, -1], [-1]], 2)
    >>> matrix[:, 0].tolist(), bool((matrix[:, 1] == UNREACHABLE).all())
    ([1, 3], True)
    """
    matrix = np.full((size, size), UNREACHABLE, dtype=np.int64)
    full = np.asarray(weights, dtype=np.int64).reshape(size, size)
    for label in range(size):
        before = allowed(predecessors[label])
        matrix[before, label] = full[before, label]
    return matrix


def decode(transitions: Ints, emissions: Ints, allowed_labels: Sequence[Sequence[int]]) -> tuple[int, dict[int, int]]:
    """THULAC's ``dbDecode`` over a chain of ``len(allowed_labels)`` characters: the best score
    and the label of each character on the best path (``{}`` where THULAC's leaves none).

    ``transitions`` is :func:`transition_matrix`; ``emissions[i, j]`` the score of label ``j``
    at character ``i``; ``allowed_labels[i]`` the labels character ``i`` may take, in THULAC's
    order (without the ``-1``).

    >>> t = np.array([[0, 5], [1, UNREACHABLE]], dtype=np.int64)
    >>> decode(t, np.array([[1, 0], [0, 0], [0, 2]], dtype=np.int64), [[0, 1], [0, 1], [0, 1]])
    (8, {2: 1, 1: 0, 0: 0})
    """
    length = len(allowed_labels)
    size = transitions.shape[0]
    scores = np.zeros(size, dtype=np.int64)
    alive = np.zeros(size, dtype=bool)
    backs: list[Ints] = []  # per character: the predecessor label of each label, -1 for a dead end
    # Per set of allowed labels (a handful of sets in all): its labels and the transitions into them.
    columns: dict[tuple[int, ...], tuple[Ints, Ints, Ints]] = {}
    for i in range(length):
        labels = tuple(allowed_labels[i])
        column = columns.get(labels)
        if column is None:
            index = np.asarray(labels, dtype=np.int64)
            column = columns[labels] = (index, transitions[:, index], np.arange(len(labels)))
        index, block, places = column
        new_scores = np.zeros(size, dtype=np.int64)
        new_alive = np.zeros(size, dtype=bool)
        back = np.full(size, -1, dtype=np.int64)
        if labels:
            if i == 0:
                # The first character has no predecessor: each label starts a path of its own.
                new_scores[index] = emissions[0, index]
                new_alive[index] = True
            else:
                candidates = np.where(alive, scores, UNREACHABLE)[:, None] + block  # [predecessor, label]
                best = candidates.argmax(axis=0)  # the first best: THULAC's predecessors are ascending
                best_scores = candidates[best, places]
                reached = best_scores > UNREACHABLE // 2
                new_scores[index] = np.where(reached, best_scores, 0) + emissions[i, index]
                new_alive[index] = reached
                back[index] = np.where(reached, best, -1)
        scores, alive = new_scores, new_alive
        backs.append(back)
    last = list(allowed_labels[length - 1]) if length else []
    if not last:
        return 0, {}
    final = scores[np.asarray(last, dtype=np.int64)]
    label = last[int(final.argmax())]  # the first best in the allowed list's order, dead ends included
    best_score = int(final.max())
    result = {length - 1: label}
    position = length - 1
    # Back to the first character, or to a dead end (THULAC stops there too).
    while position > 0 and backs[position][label] >= 0:
        label = int(backs[position][label])
        position -= 1
        result[position] = label
    return best_score, result


def feature_scores(feature: Any, sequence: str, size: int) -> Ints:
    """The emission scores of each character of ``sequence`` under THULAC's n-gram features
    (its ``CBNGramFeature.putValues``, summed with NumPy): ``[character, label]``.

    THULAC looks the character n-grams up in its double-array trie exactly as there (its own
    ``findBases``); only the sums of the weight rows found are NumPy's.
    """
    length = len(sequence)
    dat, dat_size, weights = feature.dat, feature.datSize, feature.model.fl_weights
    boundary = feature.SENTENCE_BOUNDARY
    unigrams = [0] * (length + 2)
    bigrams = [0] * (length + 3)
    # As THULAC fills its arrays (the second call overwrites unigrams[0], as there).
    unigrams[0], bigrams[0] = feature.findBases(dat_size, boundary, boundary)
    unigrams[0], bigrams[1] = feature.findBases(dat_size, boundary, sequence[0])
    for i in range(length - 1):
        unigrams[i + 1], bigrams[i + 2] = feature.findBases(dat_size, sequence[i], sequence[i + 1])
    unigrams[length], bigrams[length + 1] = feature.findBases(dat_size, sequence[length - 1], boundary)
    unigrams[length + 1], bigrams[length + 2] = feature.findBases(dat_size, boundary, boundary)
    positions: list[int] = []
    rows: list[Sequence[int]] = []
    for i in range(length):
        for base, step in ((unigrams[i + 1], 49), (unigrams[i], 50), (unigrams[i + 2], 51), (bigrams[i + 1], 49),
                           (bigrams[i + 2], 50), (bigrams[i], 51), (bigrams[i + 3], 52)):
            if base == -1:
                continue
            index = dat[2 * base] + step
            if index < dat_size and dat[2 * index + 1] == base:  # THULAC's addValues: a feature it has
                offset = size * dat[2 * index]
                positions.append(i)
                rows.append(weights[offset:offset + size])
    scores = np.zeros((length, size), dtype=np.int64)
    if rows:
        np.add.at(scores, np.asarray(positions), np.asarray(rows, dtype=np.int64))
    return scores


def _ascending(lists: Sequence[Sequence[int]]) -> bool:
    return all(allowed(labels) == sorted(allowed(labels)) for labels in lists)


#: What the decoder of a ``thulac.thulac`` must have for :func:`use_vectorised_decoder`.
DECODER_PARTS = ("model", "labelTransPre", "allowedLabelLists", "pocsToTags", "nodes", "nGramFeature", "sequence",
                 "len", "putValues", "dp")
FEATURE_PARTS = ("dat", "datSize", "model", "maxLength", "SENTENCE_BOUNDARY", "findBases")


def use_vectorised_decoder(model: Any) -> bool:
    """Put :func:`feature_scores` and :func:`decode` in place of THULAC's own in a loaded
    ``thulac.thulac`` (its tagging decoder's ``putValues`` and ``dp``); ``False``, THULAC's own
    code kept, where its internals are not those of ``thulac`` 0.2 (or its predecessor lists
    are not in ascending order, which the tie-break here assumes)."""
    decoder = getattr(model, "_thulac__tagging_decoder", None)
    if decoder is None or not all(hasattr(decoder, name) for name in DECODER_PARTS) \
            or not all(hasattr(decoder.nGramFeature, name) for name in FEATURE_PARTS):
        return False
    size = decoder.model.l_size
    if len(decoder.model.ll_weights) != size * size or not _ascending(decoder.labelTransPre):
        return False
    transitions = transition_matrix(decoder.model.ll_weights, decoder.labelTransPre, size)
    own_put_values = decoder.putValues

    def put_values() -> None:
        length = decoder.len
        if length == 0 or length >= decoder.nGramFeature.maxLength:
            own_put_values()  # nothing to score, or THULAC's own refusal ("larger than max")
            return
        for i in range(length):
            decoder.nodes[i].type = 0
        decoder.nodes[0].type += 1
        decoder.nodes[length - 1].type += 2
        decoder.values = feature_scores(decoder.nGramFeature, decoder.sequence, size)

    def dp() -> None:
        # What THULAC's CBTaggingDecoder.dp does around its dbDecode, kept as it is.
        lists = decoder.allowedLabelLists
        if lists[0] is None:
            lists[0] = decoder.pocsToTags[9]
        if lists[decoder.len - 1] is None:
            lists[decoder.len - 1] = decoder.pocsToTags[12]
        emissions = np.asarray(decoder.values, dtype=np.int64).reshape(decoder.len, size)
        decoder.alphas = []
        # A few list objects (THULAC's pocsToTags) stand for every character's allowed labels.
        terminated = {id(lists[i]): lists[i] for i in range(decoder.len)}
        labels = {key: allowed(value) for key, value in terminated.items()}
        decoder.bestScore, decoder.result = decode(transitions, emissions,
                                                   [labels[id(lists[i])] for i in range(decoder.len)])
        lists[0] = None
        lists[decoder.len - 1] = None

    decoder.putValues = put_values
    decoder.dp = dp
    return True
