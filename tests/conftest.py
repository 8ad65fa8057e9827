from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "tests" / "data" / "small.toml"
JINGZHOU = ROOT / "scenarios" / "jingzhou_2015_2018.toml"


@pytest.fixture(scope="session")
def small():
    from tuopin import load_scenario

    return load_scenario(SMALL)


@pytest.fixture(scope="session")
def small_run(small):
    from tuopin import PovertyModel

    return PovertyModel(scenario=small).run()
