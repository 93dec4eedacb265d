import math

import pytest
import torch
from torch import nn

from course_lib import energy
from course_lib.energy import (
    count_flops,
    emissions,
    estimate_energy,
    footprint,
    record_run,
    recorded_runs,
    reset_runs,
    track,
)


def test_gpt3_from_patterson_et_al_2021_inputs():
    # Patterson et al. (2021), Table 4: 10,000 V100s, 14.8 days, 330 W each, PUE 1.10,
    # 1,287 MWh reported; 429 g CO2e/kWh, 552 t CO2e reported.
    kwh = estimate_energy(chips=10_000, hours=14.8 * 24, watts=330, pue=1.10)
    assert kwh == pytest.approx(1_289_376, rel=1e-12)
    assert kwh / 1000 == pytest.approx(1287, rel=0.002)  # the inputs give the reported MWh
    assert emissions(1_287_000, 0.429) / 1000 == pytest.approx(552, abs=1)
    assert emissions(kwh, 0.429) / 1000 == pytest.approx(553, abs=1)


def test_units_scale_as_the_names_say():
    assert estimate_energy(1, 1, 1000) == 1.0  # 1 kW for 1 h is 1 kWh
    assert estimate_energy(2, 3, 500, pue=1.5) == pytest.approx(4.5)
    assert emissions(10, 0.5) == 5.0


@pytest.mark.parametrize("call, exc, match", [
    (lambda: estimate_energy(-1, 1, 1), ValueError, "chips"),
    (lambda: estimate_energy(1, 1, 1, pue=0.9), ValueError, "pue"),
    (lambda: estimate_energy(1, "1", 1), TypeError, "hours"),
    (lambda: estimate_energy(1, 1, math.nan), ValueError, "watts"),
    (lambda: estimate_energy(1, math.inf, 1), ValueError, "finite"),
    (lambda: emissions(1, 429), ValueError, "kg_co2e_per_kwh"),  # g passed where kg belongs
    (lambda: emissions(-1, 0.4), ValueError, "kwh"),
])
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_flops_of_a_linear_layer():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 3))
    x = torch.randn(8, 10)
    assert count_flops(model, x, backward=False) == 2 * 8 * 10 * 3
    # backward: the weight gradient is one more product of the same size (no input gradient)
    assert count_flops(model, x) == 4 * 8 * 10 * 3


def test_flops_of_a_convolution():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    x = torch.randn(2, 1, 6, 6)
    conv = 2 * 2 * 4 * 6 * 6 * (1 * 3 * 3)
    linear = 2 * 2 * (4 * 36) * 2
    assert count_flops(model, x, backward=False) == conv + linear


def test_count_flops_leaves_the_model_alone():
    model = nn.Sequential(nn.Linear(4, 2))
    model.train()
    assert all(p.grad is None for p in model.parameters())
    count_flops(model, torch.randn(3, 4))
    assert model.training and all(p.grad is None for p in model.parameters())
    with pytest.raises(TypeError, match="inputs"):
        count_flops(model, torch.ones(3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="inputs"):
        count_flops(model, torch.randn(0, 4))


def test_footprint_sums_recorded_runs():
    reset_runs()
    record_run("a", seconds=10, cpu_seconds=3600, flops=2_000_000_000)
    with track("b", flops=500_000_000):
        sum(range(1000))
    fp = footprint(watts_per_core=10, pue=1.2, kg_co2e_per_kwh=0.5)
    assert fp.runs == 2 and fp.names == ("a", "b")
    assert fp.flops == 2_500_000_000
    assert fp.cpu_seconds >= 3600
    # one CPU-hour at 10 W and PUE 1.2 is 12 Wh; at 0.5 kg/kWh 6 g
    assert fp.kwh == pytest.approx(0.012, rel=1e-3)
    assert fp.kg_co2e == pytest.approx(0.006, rel=1e-3)
    assert fp.summary().startswith("Training runs: 2, 2.5 GFLOP counted\n")
    assert "12 mWh" not in fp.summary() and "12 Wh and 6 g CO2e" in fp.summary()
    assert [r.name for r in recorded_runs()] == ["a", "b"]
    reset_runs()
    assert footprint().runs == 0
    assert energy.WORLD_KG_CO2E_PER_KWH == 0.481


def test_record_run_bad_input():
    with pytest.raises(TypeError, match="name"):
        record_run("", 1, 1)
    with pytest.raises(ValueError, match="seconds"):
        record_run("x", -1, 1)
    with pytest.raises(TypeError, match="flops"):
        record_run("x", 1, 1, flops=1.5)


def test_codecarbon_writes_no_file_and_prints_nothing(tmp_path, monkeypatch, capfd):
    from course_lib.energy import measure_emissions

    monkeypatch.chdir(tmp_path)
    with measure_emissions("DEU", measure_power_secs=0.5) as m:
        a = torch.randn(300, 300)
        for _ in range(50):
            a = torch.tanh(a @ a / 300)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert list(tmp_path.iterdir()) == []
    assert m.country == "Germany" and m.seconds > 0
    assert m.kwh > 0 and m.kg_co2e > 0
    # codecarbon's shipped German intensity is a few hundred g/kWh
    assert 0.1 < m.kg_co2e / m.kwh < 1.0
    assert m.method and "kWh" not in m.method
    assert "CO2e in Germany" in m.summary()


def test_measure_emissions_bad_input():
    from course_lib.energy import measure_emissions

    with pytest.raises(ValueError, match="country_iso_code"), measure_emissions("Germany"):
        pass


def test_si_prefixes():
    from course_lib.energy import _si

    assert _si(6_912_000, "FLOP") == "6.91 MFLOP"
    assert _si(0.0014, "Wh") == "1.4 mWh"
    assert _si(0, "g") == "0 g"
    assert _si(2.5e12, "FLOP") == "2.5 TFLOP"
    assert _si(3e-9, "g") == "0.003 µg"


def test_footprint_file_for_make_bench(tmp_path, monkeypatch):
    import json

    from course_lib.energy import FOOTPRINT_FILE_VAR

    reset_runs()
    record_run("a", seconds=2, cpu_seconds=3, flops=7)
    target = tmp_path / "fp.json"
    monkeypatch.setenv(FOOTPRINT_FILE_VAR, str(target))
    footprint()
    assert json.loads(target.read_text()) == {"runs": 1, "flops": 7, "seconds": 2.0,
                                              "cpu_seconds": 3.0}
    reset_runs()


def test_train_records_its_run_with_counted_flops():
    from course_lib.models import MLP, train

    reset_runs()
    torch.manual_seed(0)
    x, y = torch.randn(100, 4), torch.randint(0, 2, (100,))
    train(MLP(4, hidden=(8,)), x, y, epochs=3, batch_size=32, progress=False, desc="tiny")
    (run,) = recorded_runs()
    # per row: forward 2·(4·8 + 8·2), backward weight grads the same, input grad of layer 2 2·8·2
    per_row = 2 * (4 * 8 + 8 * 2) * 2 + 2 * 8 * 2
    assert run.name == "tiny" and run.flops == per_row * 100 * 3
    reset_runs()
