"""kamlab.notebook: the dataset preamble every chapter prints."""

from kamlab import datasets
from kamlab.notebook import REPORT_AT_THE_TOP, dataset_preamble


def test_the_preamble_of_a_registered_dataset_shows_its_validation_report():
    ds = datasets.load("cdnow_sample")
    text = dataset_preamble(ds)
    assert text.startswith(ds.source) and "Validation report for" in text and REPORT_AT_THE_TOP not in text


def test_the_preamble_of_an_analyst_file_points_to_the_report_at_the_top(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("customer_id,date,amount\nA,2024-01-02,10\nB,2024-02-03,20\nA,2024-03-04,5\n")
    text = dataset_preamble(datasets.resolve(path))
    assert text.splitlines() == ["analyst file mine.csv", REPORT_AT_THE_TOP]


def test_a_synthetic_world_has_no_report_to_show():
    ds = datasets.load("b2b")
    assert dataset_preamble(ds) == ds.source
