"""The network of ``bilstm-crf-msra`` (PyTorch; imported only when that system loads).

Each character is the concatenation of three embeddings learnt from scratch: the character,
the character bigram it starts, and its jieba softword tag (place in the word and POS tag,
:func:`~zhnerbench.baselines.lexicon.softword_tags`). A one-layer BiLSTM reads them and a
linear-chain CRF (``pytorch-crf``) scores the tag sequence: the character BiLSTM-CRF of
Dong et al. (2016) and Zhang and Yang (2018, their "char + bichar + softword" baseline),
without pretrained embeddings, which this offline project cannot fetch.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torchcrf import CRF

from zhnerbench.baselines.bilstm_crf import PAD, Vocabulary

class BilstmCrf(nn.Module):
    """Embeddings, dropout, a BiLSTM, a linear layer to tag scores, and a CRF over them."""

    def __init__(self, vocabulary: Vocabulary, char_dim: int, bigram_dim: int, softword_dim: int,
                 hidden: int, dropout: float) -> None:
        super().__init__()
        self.chars = nn.Embedding(len(vocabulary.chars) + 2, char_dim, padding_idx=PAD)
        self.bigrams = nn.Embedding(len(vocabulary.bigrams) + 2, bigram_dim, padding_idx=PAD)
        self.softwords = nn.Embedding(len(vocabulary.softwords) + 2, softword_dim, padding_idx=PAD)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(char_dim + bigram_dim + softword_dim, hidden, batch_first=True, bidirectional=True)
        self.scores = nn.Linear(2 * hidden, len(vocabulary.tags))
        self.crf = CRF(len(vocabulary.tags), batch_first=True)

    def emissions(self, inputs: Sequence[torch.Tensor], lengths: torch.Tensor) -> torch.Tensor:
        chars, bigrams, softwords = inputs
        embedded = self.dropout(torch.cat([self.chars(chars), self.bigrams(bigrams), self.softwords(softwords)], -1))
        packed = nn.utils.rnn.pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        hidden, _ = self.lstm(packed)
        hidden, _ = nn.utils.rnn.pad_packed_sequence(hidden, batch_first=True, total_length=chars.shape[1])
        scores: torch.Tensor = self.scores(self.dropout(hidden))
        return scores

    def loss(self, inputs: Sequence[torch.Tensor], lengths: torch.Tensor, tags: torch.Tensor) -> torch.Tensor:
        """The mean negative log-likelihood of the gold tags."""
        mask = torch.arange(tags.shape[1])[None, :] < lengths[:, None]
        likelihood: torch.Tensor = self.crf(self.emissions(inputs, lengths), tags, mask, reduction="mean")
        return -likelihood

    def decode(self, inputs: Sequence[torch.Tensor], lengths: torch.Tensor) -> list[list[int]]:
        """The best tag id sequence of each text (Viterbi)."""
        mask = torch.arange(inputs[0].shape[1])[None, :] < lengths[:, None]
        paths: list[list[int]] = self.crf.decode(self.emissions(inputs, lengths), mask)
        return paths


def padded(sequences: Sequence[Sequence[int]]) -> torch.Tensor:
    """Id sequences padded with 0 (``PAD``, and for tags a tag the mask hides) to one tensor."""
    width = max(len(ids) for ids in sequences)
    return torch.tensor([list(ids) + [PAD] * (width - len(ids)) for ids in sequences])


def batch_tensors(encoded: Sequence[tuple[list[int], list[int], list[int]]]) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Padded input tensors and the lengths of a batch of encoded texts."""
    inputs = [padded([ids[k] for ids in encoded]) for k in range(3)]
    return inputs, torch.tensor([len(chars) for chars, _, _ in encoded])
