import numpy as np
import pytest
import torch

from course_lib.models import MLP
from course_lib.privacy import (
    client_gradient,
    fedavg,
    linear_gradient_leak,
    local_sgd,
    split_clients,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _data(n=300, d=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    y = (x[:, 0] - x[:, 1] > 0).long()
    return x, y


def _model_fn(seed=0):
    def make():
        torch.manual_seed(seed)
        return MLP(6, hidden=(8,))
    return make


def test_one_client_equals_plain_sgd():
    x, y = _data()
    res = fedavg(_model_fn(), [(x, y)], rounds=3, fraction=1.0, local_epochs=2, lr=0.1,
                 batch_size=32, random_state=5)
    # the same thing written as ordinary training: 6 epochs, one shuffling generator
    plain = _model_fn()()
    opt = torch.optim.SGD(plain.parameters(), lr=0.1)
    gen = torch.Generator().manual_seed(5)
    for _ in range(6):
        order = torch.randperm(len(x), generator=gen)
        for s in range(0, len(x), 32):
            idx = order[s:s + 32]
            loss = torch.nn.functional.cross_entropy(plain(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    for p, q in zip(res.model.parameters(), plain.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-6)
    assert res.rounds_clients == [[0], [0], [0]]


def test_average_is_size_weighted():
    # one round, two clients of 100 and 20 rows: the global weights are (100·θ₀ + 20·θ₁) / 120
    x, y = _data(120)
    parts = [(x[:100], y[:100]), (x[100:], y[100:])]
    res = fedavg(_model_fn(), parts, rounds=1, lr=0.05, batch_size=16, random_state=0)
    gen = torch.Generator().manual_seed(0)
    locals_ = [local_sgd(_model_fn()(), xi, yi, epochs=1, lr=0.05, batch_size=16, generator=gen)
               for xi, yi in parts]
    for name, value in res.model.state_dict().items():
        expected = (100 * locals_[0].state_dict()[name] + 20 * locals_[1].state_dict()[name]) / 120
        torch.testing.assert_close(value, expected, rtol=1e-5, atol=1e-6)


def test_fraction_chooses_clients_and_fedavg_learns():
    x, y = _data(600)
    idx = split_clients(y.numpy(), 10, random_state=0)
    clients = [(x[i], y[i]) for i in idx]
    xt, yt = _data(400, seed=1)
    res = fedavg(_model_fn(), clients, rounds=8, fraction=0.3, local_epochs=2, lr=0.2,
                 batch_size=16, evaluate=lambda m: float((m(xt).argmax(1) == yt).float().mean()),
                 random_state=0)
    assert all(len(c) == 3 and len(set(c)) == 3 for c in res.rounds_clients)
    assert len(res.history) == 8 and res.history[-1] > 0.85


def test_label_skew_slows_fedavg_down():
    rng = np.random.default_rng(0)
    mu = rng.normal(size=(10, 20))

    def data(n, seed):
        r = np.random.default_rng(seed)
        y = r.integers(0, 10, n)
        return (torch.tensor(mu[y] + r.normal(size=(n, 20)), dtype=torch.float32),
                torch.tensor(y))

    x, y = data(3000, 1)
    xt, yt = data(1000, 2)

    def make():
        torch.manual_seed(0)
        return MLP(20, (32,), n_classes=10)

    def curve(scheme):
        idx = split_clients(y.numpy(), 20, scheme=scheme, random_state=0)
        return fedavg(make, [(x[i], y[i]) for i in idx], rounds=5, fraction=0.25,
                      local_epochs=5, lr=0.05, batch_size=32, random_state=0,
                      evaluate=lambda m: float((m(xt).argmax(1) == yt).float().mean())).history

    iid, skew = curve("iid"), curve("label_skew")
    assert iid[-1] > 0.9 and np.mean(iid) > np.mean(skew) + 0.1


def test_split_clients_iid_and_label_skew():
    y = np.repeat(np.arange(10), 100)
    iid = split_clients(y, 10, random_state=0)
    assert sorted(np.concatenate(iid).tolist()) == list(range(1000))
    assert all(len(np.unique(y[i])) >= 8 for i in iid)
    skew = split_clients(y, 10, scheme="label_skew", shards_per_client=2, random_state=0)
    assert sorted(np.concatenate(skew).tolist()) == list(range(1000))
    assert all(len(np.unique(y[i])) <= 2 for i in skew)
    assert split_clients(y, 10, random_state=3)[0].tolist() == \
        split_clients(y, 10, random_state=3)[0].tolist()


def test_one_examples_gradient_reveals_the_input_exactly():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(20, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    x = torch.rand(1, 20)
    g = client_gradient(model, x, torch.tensor([2]))
    leaked = linear_gradient_leak(g["0.weight"], g["0.bias"])
    torch.testing.assert_close(leaked, x[0], rtol=0, atol=1e-5)
    # on a softmax-linear model every unit sees both examples: a batch of two mixes them
    linear = torch.nn.Linear(20, 3)
    x2 = torch.rand(2, 20)
    g2 = client_gradient(linear, x2, torch.tensor([0, 1]))
    mixed = linear_gradient_leak(g2["weight"], g2["bias"])
    assert min(float((mixed - xi).abs().max()) for xi in x2) > 1e-3


def test_bad_input_is_named():
    y = np.arange(10) % 2
    with pytest.raises(ValueError, match="scheme"):
        split_clients(y, 2, scheme="dirichlet")
    with pytest.raises(ValueError, match="n_clients"):
        split_clients(y, 11)
    with pytest.raises(TypeError, match="client_data"):
        fedavg(_model_fn(), [])
    with pytest.raises(ValueError, match="client_data\\[0\\]"):
        fedavg(_model_fn(), [(torch.zeros(3, 6), torch.zeros(2))])
    with pytest.raises(ValueError, match="fraction"):
        fedavg(_model_fn(), [(torch.zeros(3, 6), torch.zeros(3))], fraction=0.0)
    with pytest.raises(TypeError, match="model_fn"):
        fedavg(lambda: "not a model", [(torch.zeros(3, 6), torch.zeros(3))])
    with pytest.raises(TypeError, match="generator"):
        local_sgd(MLP(6), torch.zeros(3, 6), torch.zeros(3, dtype=torch.long), epochs=1, lr=0.1,
                  batch_size=2, generator=0)
    with pytest.raises(ValueError, match="grad_bias"):
        linear_gradient_leak(torch.ones(3, 4), torch.zeros(3))
    with pytest.raises(ValueError, match="grad_weight"):
        linear_gradient_leak(torch.ones(3, 4), torch.ones(2))


def test_fedavg_records_its_clients_training_in_the_footprint():
    from course_lib import energy

    x, y = _data(120)
    parts = [(x[:100], y[:100]), (x[100:], y[100:])]
    per_row = energy.count_flops(_model_fn()(), x[:16], y[:16]) / 16
    before = len(energy.recorded_runs())
    fedavg(_model_fn(), parts, rounds=3, fraction=1.0, local_epochs=2, batch_size=16)
    runs = energy.recorded_runs()[before:]
    assert [r.name for r in runs] == ["FedAvg"]
    assert runs[0].flops == round(per_row * 120 * 2 * 3) and runs[0].cpu_seconds > 0
