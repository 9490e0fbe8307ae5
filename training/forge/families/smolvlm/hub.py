"""The hub files of the SmolVLM/Idefics3 layout for the ShapesWorld chat vocabulary: the
tokenizer (a lower-casing WordPiece of whole words with the chat's special tokens; no tokens
added around a text, since the chat template writes them), its config with SmolVLM's chat
template, and the Idefics3 image processor's and processor's configs."""


def chat_tokenizer_json(vocabulary, special):
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [
            {"id": vocabulary.index(t), "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for t in special
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": False, "strip_accents": True, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": None,
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {
            "type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": {w: i for i, w in enumerate(vocabulary)},
        },
    }


def chat_tokenizer_config(special, chat_template, max_length):
    return {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": max_length, "chat_template": chat_template,
        "bos_token": "<|im_start|>", "eos_token": "<end_of_utterance>", "pad_token": "[PAD]", "unk_token": "[UNK]",
        "additional_special_tokens": [t for t in special if t not in ("[PAD]", "[UNK]", "<|im_start|>", "<end_of_utterance>")],
        "do_lower_case": True, "clean_up_tokenization_spaces": True,
    }


def idefics3_preprocessor_config(image_size, tile_size):
    """Images resized to image_size on the longest edge, split into tiles of tile_size plus a
    global view of tile_size, rescaled and normalised with mean and std 0.5."""
    return {
        "image_processor_type": "Idefics3ImageProcessor", "processor_class": "Idefics3Processor",
        "do_convert_rgb": True, "do_resize": True, "size": {"longest_edge": image_size}, "resample": 1,
        "do_image_splitting": True, "max_image_size": {"longest_edge": tile_size},
        "do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True,
        "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "do_pad": True,
    }


def processor_config(image_seq_len):
    return {"image_seq_len": image_seq_len, "processor_class": "Idefics3Processor"}
