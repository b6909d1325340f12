"""epa consistency: how many resits and retakes each body allows, grouped by what its rule does (a stated number, no
limit within a period, left to the employer, each needing the employer's agreement, nothing stated), never by
its wording, each side quoting its own body's sentence."""

from __future__ import annotations

import functools

import attrs
import pytest

import epa
from conftest import ROOT
from epa.consistency import analyse
from epa.errors import InputError
from epa.model.domain import Ruleset
from epa.registry import Registry
from epa.testing import installed, make_plugin, registry, requires

ST0071 = "ST0071"
FOUR = ("gateway_quals", "highfield", "nqual", "tqual")
ID = "resits.attempts"

# The documents' sentences on the number of attempts (each section read whole; /work/shared/seeds' INDEX.md):
HIGHFIELD = ("There is no limit to the number of retake/resits within the 12 months.",
             "002_a4f677c7c4e5fdb6.txt § Retake and resit information")
TQUK = ("There is no limit to the number of retake or resits within the 12 months.",
        "003_3692b76548845e1c.txt § Resits and Retakes")
NQUAL = ("It is then up to the apprentice's employer how many attempts an apprentice is given.",
         "000_75563123dfdaaed6.txt § Re-sit / Re-take")
GATEWAY = ("The apprentice's employer will need to agree that either a re-sit or a re-take is an appropriate course "
           "of action.", "004_97be493b5d6ee5b2.txt § 4. Re-sits and re-takes")


@functools.cache
def findings(bodies: tuple[str, ...] = FOUR) -> dict[str, dict]:
    return {f["id"]: f for f in analyse(registry(), ST0071, [b for b in bodies if installed(b)])["findings"]}


def side_of(f: dict, body: str) -> dict:
    return next(s for s in f["sides"] if body in s["bodies"])


def quoted(side: dict, body: str) -> list[tuple[str, str]]:
    return [(q["text"], q["citation"]) for q in side["quotes"] if q["body"] == body]


def newest(body: str) -> Ruleset:
    return registry().body(body).body.rulesets_for(ST0071)[-1]


@requires(*FOUR)
def test_the_number_of_attempts_is_compared_by_what_each_rule_does():
    # 002 and 003 say there is no limit "within the 12 months" (their windows' 12 months, in different words: one
    # side); 000 leaves the number to the employer; 004 states no number, and the employer "will need to agree"
    # to each re-sit or re-take (required, not 'should' or 'can').
    f = findings()[ID]
    assert f["area"] == "resits" and (f["witness"], f["shows"]) == (None, None)
    assert sorted(sorted(s["bodies"]) for s in f["sides"]) == [["gateway_quals"], ["highfield", "tqual"], ["nqual"]]
    gq, hf, nq = side_of(f, "gateway_quals"), side_of(f, "highfield"), side_of(f, "nqual")
    assert hf["says"] == "no limit on the number of resits and retakes within the 12 months of its resit window"
    assert nq["says"] == "the number of resits and retakes is left to the apprentice's employer; no number is stated"
    assert gq["says"] == ("the employer must agree to each resit or retake; the document states no number of "
                          "resits and retakes")
    # each body on a side quotes its own sentence, never another's
    assert quoted(hf, "highfield") == [HIGHFIELD] and quoted(hf, "tqual") == [TQUK]
    assert hf["citations"] == {"highfield": [HIGHFIELD[1]], "tqual": [TQUK[1]]}
    [(text, citation)] = quoted(nq, "nqual")
    assert text.endswith(NQUAL[0]) and citation == NQUAL[1]
    [(text, citation)] = quoted(gq, "gateway_quals")
    assert text.endswith(GATEWAY[0]) and citation == GATEWAY[1]
    # the reading the side rests on: "will need to agree" read as said of each re-sit or re-take
    assert any(r.startswith("gateway-quals-attempts-not-limited: ") for r in gq["readings"])
    # "the 12 months" are a window's whose start neither document states: the period's start is the tool's
    assert any(r.startswith("resit-retake-within-12-months: 12 months from first fail notified; the document does "
                            "not say") for r in hf["readings"])
    assert f["region"]["counted"] is False and f["region"]["reason"].startswith("no record shows this: rule data")


@requires("highfield", "tqual")
def test_the_same_rule_in_other_words_is_no_finding():
    # "retake/resits" (002) and "retake or resits" (003), both "within the 12 months": one rule
    assert ID not in findings(("highfield", "tqual"))


def _attempts(ruleset: Ruleset, **changes) -> Ruleset:
    journey = ruleset.journey
    assert journey is not None and journey.resit is not None
    resit = attrs.evolve(journey.resit, attempts=attrs.evolve(journey.resit.attempts, **changes))
    return attrs.evolve(ruleset, journey=attrs.evolve(journey, resit=resit))


@requires("nqual")
def test_a_plugin_not_saying_makes_no_claim_and_a_stated_number_is_its_own_rule():
    nqual = newest("nqual")
    # a plugin that gives no kind and no number claims nothing: beside NQual's employer, no difference is made up
    silent = Registry([("acme", make_plugin("acme", [_attempts(nqual, kind=None)])),
                       ("beta", make_plugin("beta", [nqual]))])
    assert ID not in {f["id"] for f in analyse(silent, ST0071)["findings"]}
    # a stated number (3, a made-up document's) is not NQual's "up to the employer", nor silence
    counted = Registry([("acme", make_plugin("acme", [_attempts(nqual, kind="limit", limit=3)])),
                        ("beta", make_plugin("beta", [nqual])),
                        ("gamma", make_plugin("gamma", [_attempts(nqual, kind=None)]))])
    [f] = [f for f in analyse(counted, ST0071)["findings"] if f["id"] == ID]
    assert side_of(f, "acme")["says"] == "at most 3 resits and retakes"
    assert side_of(f, "beta")["says"].startswith("the number of resits and retakes is left to the apprentice's")
    assert side_of(f, "gamma")["bodies"] == ["gamma"] and "no claim either way" in side_of(f, "gamma")["says"]
    # a plugin's own rules naming no window for "no limit within" (a journey file doing so is refused) are told so,
    # never an error
    unnamed = Registry([("acme", make_plugin("acme", [_attempts(nqual, kind="no_limit_within", within="gone")])),
                        ("beta", make_plugin("beta", [nqual]))])
    [f] = [f for f in analyse(unnamed, ST0071)["findings"] if f["id"] == ID]
    assert side_of(f, "acme")["says"] == ("no limit on the number of resits and retakes within a period (its rules "
                                          "name no window for it)")


def _journey_dir(tmp_path, edit):
    import shutil

    rules = ROOT / "plugins" / "highfield" / "epa_highfield" / "rules"
    target = tmp_path / "rules"
    shutil.copytree(rules, target)
    path = target / "ST0071.journey.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return target


@pytest.mark.parametrize("edit,expected", [
    # the period "no limit within" is said of must be a window the file declares
    (lambda t: t.replace("within: resit-retake-within-12-months", "within: resit-window"),
     "attempts names window 'resit-window' (within), which the file does not declare"),
    # a period is said of no limit only
    (lambda t: t.replace("kind: no_limit_within", "kind: employer_decides"),
     "attempts names window 'resit-retake-within-12-months' (within) but its kind is 'employer_decides'"),
    (lambda t: t.replace("    within: resit-retake-within-12-months", ""), "'within' is a required property"),
    # a stated number is kind limit, and only it gives a number
    (lambda t: t.replace("kind: no_limit_within", "kind: limit"), "$.resit.attempts.limit"),
    (lambda t: t.replace("    limit: null\n    kind: no_limit_within", "    limit: 2\n    kind: no_limit_within"),
     "$.resit.attempts.limit"),
    (lambda t: t.replace("kind: no_limit_within", "kind: unlimited"), "'unlimited' is not allowed"),
])
def test_an_attempts_rule_that_contradicts_itself_is_refused_with_its_path(tmp_path, edit, expected):
    rules = _journey_dir(tmp_path, edit)
    with pytest.raises(InputError) as info:
        epa.load_rulesets(rules)
    assert expected in info.value.render() and "ST0071.journey.yaml" in info.value.render(), info.value.render()
