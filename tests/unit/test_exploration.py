"""The explore view's state round-trips through the query string."""

from dashboard.present import addresses
from dashboard.present.exploration import ExploreState


def test_state_from_and_to_query():
    query = {"kpi": "N00640", "jmf": "egen", "kommuner": "1260,1280", "fran": "2015",
             "till": "2022", "ar": "2021", "visa": "kommuner", "kon": "1"}
    state = ExploreState.from_query(query)
    assert state.own == ("1260", "1280") and state.show_peers and state.show_gender
    again = ExploreState.from_query(dict(
        part.split("=", 1) for part in addresses.query_string(state.to_query())
        .lstrip("?").split("&")))
    assert again == state


def test_defaults_and_nonsense():
    state = ExploreState.from_query({"fran": "förra året", "visa": "x"})
    assert (state.kpi, state.group, state.first_year, state.show_peers) == (
        None, "G2328", None, False)


def test_query_string_leaves_out_empty_values():
    assert addresses.query_string({"a": None, "b": "", "c": [], "d": ["1", "2"]}) == "?d=1,2"
    assert addresses.list_param("1260,,1280", 30) == (["1260", "1280"], False)


def test_the_own_list_keeps_each_code_once_and_at_most_thirty():
    codes = [str(1000 + n) for n in range(40)]
    state = ExploreState.from_query({"kommuner": ",".join(["1280", "1280", *codes])})
    assert state.own == ("1280", *codes[:29]) and state.own_left_out
    assert "own_left_out" not in state.to_query()
    assert not ExploreState.from_query({"kommuner": "1280,1280,1260"}).own_left_out
