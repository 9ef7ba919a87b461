"""PyTorch references for transformer-models' RecurrentLm (models.rnn), one tiny model per cell.

The PyTorch module below is the one RecurrentLm mirrors name for name: embedding -> dropout ->
nn.RNN/LSTM/GRU (batch-first, dropout between layers) -> dropout -> nn.Linear head. Dropout is 0
here (PyTorch's masks cannot be reproduced). For each cell it writes a model folder
testdata/models/rnn-lm/<cell>/ (config.json as RecurrentLmConfig writes it, model.safetensors)
and expected_outputs.json: the logits of a right-padded batch (ids, lengths) and the final states
(h_n, c_n) after each row's last real token, from packed sequences.

Run: ~/.venv-ref/bin/python bench/recurrent_lm_references.py
"""
import json
import os

import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "testdata", "models", "rnn-lm")
V, E, H, L = 11, 6, 5, 2
IDS = [[3, 1, 4, 1, 5, 9], [2, 6, 5, 3, 0, 0], [5, 8, 0, 0, 0, 0]]
LENGTHS = [6, 4, 2]


class RecurrentLm(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, E)
        self.drop = torch.nn.Dropout(0.0)
        kind = {"rnn": torch.nn.RNN, "rnn_relu": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
        kw = {"nonlinearity": "relu"} if cell == "rnn_relu" else {}
        self.rnn = kind(E, H, num_layers=L, batch_first=True, **kw)
        self.head = torch.nn.Linear(H, V)

    def forward(self, ids, lengths):
        x = self.drop(self.embedding(ids))
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed)
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=ids.shape[1])
        return self.head(self.drop(out)), state


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.manual_seed(2026)
    for cell in ["rnn", "rnn_relu", "lstm", "gru"]:
        m = RecurrentLm(cell).eval()
        with torch.no_grad():
            for p in m.rnn.parameters():
                p.uniform_(-0.5, 0.5)
            m.head.bias.uniform_(-0.3, 0.3)
        ids = torch.tensor(IDS)
        with torch.no_grad():
            logits, state = m(ids, torch.tensor(LENGTHS))
        h_n, c_n = state if cell == "lstm" else (state, None)
        d = os.path.join(OUT, cell)
        os.makedirs(d, exist_ok=True)
        save_file({k: v.contiguous() for k, v in m.state_dict().items()}, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
        config = {
            "architectures": ["RecurrentLm"], "model_type": "t4j-recurrent-lm", "cell_type": cell,
            "vocab_size": V, "embedding_size": E, "hidden_size": H, "num_layers": L, "dropout": 0.0,
            "seed": 0, "bos_token_id": None, "eos_token_id": None, "pad_token_id": None,
        }
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
        expected = {
            "note": "PyTorch " + torch.__version__ + ", bench/recurrent_lm_references.py: logits (B, T, V) of a"
            " right-padded batch (packed sequences; past a row's length the head sees zeros, so its bias),"
            " h_n and c_n (L, B, H) after each row's last real token; dropout 0",
            "ids": IDS, "lengths": LENGTHS, "logits": flat(logits), "logits_shape": list(logits.shape),
            "h_n": flat(h_n), "c_n": flat(c_n) if c_n is not None else None,
        }
        with open(os.path.join(d, "expected_outputs.json"), "w") as f:
            json.dump(expected, f)
        print(cell, list(logits.shape), float(logits.abs().max()))


if __name__ == "__main__":
    main()
