from civicbill.core.checkdigit import has_valid_check_digit, mod10_check_digit, with_check_digit


def test_weights_two_one_from_the_left_with_digit_sums():
    # 1*2=2, 2*1=2, 3*2=6, 4*1=4, 5*2=10 -> 1+0: total 15 -> check (10 - 5) % 10 = 5
    assert mod10_check_digit("12345") == 5
    assert with_check_digit("0000001") == "00000018"


def test_a_mistyped_digit_is_caught():
    assert has_valid_check_digit("123455")
    assert not has_valid_check_digit("123465")
    assert not has_valid_check_digit("12a455")
