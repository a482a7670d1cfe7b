"""Passwords are kept as Argon2id hashes at the cost RFC 9106 recommends; the tests' own
process uses a cheaper one (tests/conftest.py), which this test does not."""

from argon2 import PasswordHasher, Type

from etl import users


def test_production_hashes_are_argon2id_at_the_recommended_cost():
    hasher = users.PASSWORD_HASHER
    assert (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        Type.ID, 3, 65536, 4)
    stored = hasher.hash("ett långt lösenord")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher.verify(stored, "ett långt lösenord")


def test_a_cheap_hash_from_a_test_is_upgraded_at_the_next_login():
    """A password hashed at a lower cost verifies, and asks to be hashed again at production
    cost (users.authenticate does that at a successful login)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("lösenordet")
    assert users.PASSWORD_HASHER.verify(cheap, "lösenordet")
    assert users.PASSWORD_HASHER.check_needs_rehash(cheap)
