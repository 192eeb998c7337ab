from payments.pricing import PLATFORM_FEE_MINOR


def test_quartier_takes_no_cut():
    assert PLATFORM_FEE_MINOR == 0
