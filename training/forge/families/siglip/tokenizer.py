"""The tiny SigLIP's tokenizer: a SentencePiece-style Unigram model written as the hub's
tokenizer.json, with one piece per grammar word ("▁red", "▁circle", ...).

Ids follow SigLIP's SentencePiece model: 0 "<pad>" (unused, as in SigLIP), 1 "</s>" (EOS, also
the padding token, as SiglipTokenizer's pad_token), 2 "<unk>", then "▁" + each word of the CLIP
vocabulary in its order. Piece scores are the words' log frequencies in the training captions
(what SentencePiece would learn); with whole-word pieces only, the Viterbi path is always one
piece per known word, whatever the scores (an unknown character costs min score - 10).

The Python encoder below mirrors the JS one for grammar text: normalise, one piece per known
word, a wholly unknown word -> one "<unk>" (the JS Unigram fuses consecutive unknown characters;
a word that merely starts with a known piece, "reddish", becomes "▁red" + "<unk>" there but a
single "<unk>" here -- training and goldens only use grammar words).
"""
import re

import torch

SPECIAL = ["<pad>", "</s>", "<unk>"]
PAD_ID, EOS_ID, UNK_ID = 1, 1, 2
# ASCII punctuation as ranges: !-/ :-@ [-` {-~ (a class both Oniguruma and JS "u" regexps accept).
PUNCTUATION = r"[!-/:-@\[-`{-~]"


def pieces(clip_vocabulary):
    """Word pieces in id order, after the three special tokens."""
    return SPECIAL + ["▁" + w for w in clip_vocabulary if not (w.startswith("[") and w.endswith("]"))]


def normalise(text):
    """What the tokenizer.json normalizer does: lowercase, drop punctuation, collapse whitespace, strip."""
    return re.sub(r"\s+", " ", re.sub(PUNCTUATION, "", text.lower())).strip()


def encode(texts, vocab_pieces, max_length):
    """input_ids [len(texts), max_length]: pieces, "</s>", padded with "</s>" (transformers.js with
    padding 'max_length', truncation true: truncated after the EOS is added)."""
    ids = {p: i for i, p in enumerate(vocab_pieces)}
    rows = []
    for text in texts:
        row = [ids.get("▁" + w, UNK_ID) for w in normalise(text).split(" ") if w] + [EOS_ID]
        rows.append((row + [PAD_ID] * max_length)[:max_length])
    return torch.tensor(rows)


def clip_to_siglip(tokens, clip_vocabulary, max_length):
    """Maps write-dataset.ts rows ([BOS] words [EOS] [PAD]...) to SigLIP rows (words </s> </s>...)."""
    lut = torch.full((len(clip_vocabulary),), UNK_ID, dtype=torch.long)
    vocab_pieces = pieces(clip_vocabulary)
    for i, w in enumerate(clip_vocabulary):
        if "▁" + w in vocab_pieces:
            lut[i] = vocab_pieces.index("▁" + w)
    lut[clip_vocabulary.index("[EOS]")] = EOS_ID
    lut[clip_vocabulary.index("[PAD]")] = PAD_ID
    assert (tokens[:, 0] == clip_vocabulary.index("[BOS]")).all(), "rows start with BOS"
    words = lut[tokens[:, 1:]]  # drop BOS: SigLIP has none
    padded = torch.cat([words, torch.full((len(tokens), max_length), PAD_ID)], dim=1)
    return padded[:, :max_length]


def piece_scores(siglip_tokens, vocab_size):
    """Log frequency of each word piece in the training rows (add-one smoothed); specials 0."""
    counts = torch.bincount(siglip_tokens.flatten(), minlength=vocab_size).double() + 1
    counts[: len(SPECIAL)] = 0
    scores = (counts / counts.sum()).log()
    scores[: len(SPECIAL)] = 0.0
    return [round(float(s), 6) for s in scores]


def tokenizer_json(vocab_pieces, scores):
    def added(i, content):
        return {"id": i, "content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}

    eos = {"SpecialToken": {"id": "</s>", "type_id": 0}}
    metaspace = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added(i, t) for i, t in enumerate(SPECIAL)],
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Lowercase"},
            {"type": "Replace", "pattern": {"Regex": PUNCTUATION}, "content": ""},
            {"type": "Replace", "pattern": {"Regex": r"\s+"}, "content": " "},
            {"type": "Strip", "strip_left": True, "strip_right": True},
        ]},
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, eos],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, eos, {"Sequence": {"id": "B", "type_id": 0}}, eos],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [EOS_ID], "tokens": ["</s>"]}},
        },
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": UNK_ID, "byte_fallback": False,
                  "vocab": [[p, s] for p, s in zip(vocab_pieces, scores)]},
    }


def tokenizer_config(max_length):
    return {
        "tokenizer_class": "SiglipTokenizer", "model_max_length": max_length,
        "pad_token": "</s>", "eos_token": "</s>", "unk_token": "<unk>",
        "do_lower_case": True, "clean_up_tokenization_spaces": True,
        # As the hub's SigLIP: the text model takes input_ids only (no attention mask).
        "model_input_names": ["input_ids"],
        "added_tokens_decoder": {str(i): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                          "single_word": False, "special": True} for i, t in enumerate(SPECIAL)},
    }

