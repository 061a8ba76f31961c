"""load_demo: both Mexico factsheets complete against the reference texts, idempotent, safe users."""

import html
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from factsheets.formatting import NO_DATA, format_budget, format_year
from factsheets.models import Category, Factsheet, Footnote, Policy, Reference, Vocabulary
from factsheets.validation import POLICY_M2M_FIELDS

pytestmark = pytest.mark.django_db

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "factsheets" / "data" / "reference"

# Words the printed layout adds around the stored content (Table 1 row labels, table headers, captions).
LAYOUT_LABELS = [
    "Policy type:", "Policy name:", "POLICY OBJECTIVES", "POLICY FOCUS", "RESPONSIBLE AUTHORITIES",
    "BENEFICIARIES", "INSTRUMENTS", "Financial", "Technical assistance", "Explanation", "HISTORY", "Period",
    "Ending year (for policies with limited period)", "Starting year", "BUDGET", "Overall", "Annual",
    "Source of funding", "POLICY EVALUATION", "Availability", "Results", "POLICY ALIGNMENT WITH THE EU PRIORITIES",
    "Maximum score", "Criterion", "Description", "Categorical variables", "Contents", "Content",
    "EUROPEAN CLUSTER", "COLLABORATION PLATFORM", "Strengthening the European economy through collaboration",
    "Country factsheet", "An initiative of the European Union", NO_DATA,
]


def normalise(text: str) -> str:
    text = html.unescape(text)
    text = re.sub(r"\[\^[a-z0-9-]+\]", "", text)  # footnote calls
    text = re.sub(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]", "", text)  # superscript footnote numbers
    text = text.translate(str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"}))
    text = text.replace("\\$", "$").replace("\u00a0", " ").replace("**", "")
    text = re.sub(r"\s+", " ", text).strip().lower()
    return re.sub(r"\s+\)", ")", text)


def strip_tags(text: str) -> list[str]:
    """Block elements become separate pieces; inline markup (links, emphasis) is dropped in place."""
    text = re.sub(r"</?(a|strong|em|b|i|sup|span)\b[^>]*>", "", text or "")
    return [part for part in re.split(r"<[^>]+>", text) if part.strip()]


def stored_chunks(factsheet: Factsheet) -> list[str]:
    """Every stored text of the factsheet and its edition, as the printed factsheet would show it."""
    edition, country = factsheet.edition, factsheet.country.name
    chunks = [country, str(edition.year), *LAYOUT_LABELS]
    chunks += [f"Table 1 - Overview of cluster policy in {country}", f"Source: ECCP ({edition.year}).",
               f"Table 2: {edition.assessment_table_title}", f"Table 3: {edition.annex_title}"]
    chunks += [edition.assessment_table_title, edition.qualitative_title, edition.annex_title]
    for section in edition.sections.all():
        chunks += [section.title, str(section)]
    for text in (edition.methodology_intro, edition.methodology_outro, factsheet.introduction,
                 factsheet.policies_intro, factsheet.assessment_intro, factsheet.qualitative_intro):
        chunks += strip_tags(text)
    for criterion in edition.criteria.prefetch_related("levels"):
        definition = strip_tags(criterion.definition)
        chunks += [criterion.name, criterion.long_name, criterion.note, *definition]
        chunks.append(f"{criterion.display_long_name}: {' '.join(definition)}")
        if criterion.max_score is not None:
            chunks.append(f"{criterion.max_score.normalize()}")
        for level in criterion.levels.all():
            chunks += [level.label, level.definition]
    for topic in edition.topics.all():
        chunks.append(topic.title)
    for assessment in factsheet.assessments.all():
        if assessment.score is not None:
            chunks.append(f"{assessment.score.normalize()}")
    for item in factsheet.qualitative.all():
        chunks += strip_tags(item.summary) + strip_tags(item.text)
    for policy in factsheet.policies.all():
        detail = f" ({policy.type_detail})" if policy.type_detail else ""
        chunks += [f"{policy.policy_type.label}{detail}", policy.name]
        for field in POLICY_M2M_FIELDS:
            chunks += [c.label for c in getattr(policy, field).all()]
        chunks += [c.label for c in (policy.focus, policy.evaluation) if c]
        if policy.beneficiaries_other:
            chunks.append(f"Other: {policy.beneficiaries_other}")
        chunks += [policy.financial_instruments_note, policy.technical_instruments_note]
        chunks += [policy.get_period_display(), format_year(policy.end_year), format_year(policy.start_year)]
        for part in ("overall", "annual"):
            chunks.append(format_budget(
                getattr(policy, f"budget_{part}_eur"), getattr(policy, f"budget_{part}_amount"),
                getattr(policy, f"budget_{part}_currency"), getattr(policy, f"budget_{part}_note"),
            ))
        for field in ("objectives_text", "focus_text", "authorities_text", "beneficiaries_text", "instruments_text",
                      "history_text", "budget_source", "evaluation_text"):
            chunks += strip_tags(getattr(policy, field))
    for footnote in factsheet.footnotes.all():
        chunks += strip_tags(footnote.text)
    for reference in factsheet.references.all():
        access = f" (last access {reference.last_accessed:%d.%m.%Y})" if reference.last_accessed else ""
        chunks += [reference.citation, f"{reference.citation} {reference.url}", f"{reference.url}{access}.", f"{reference.url.removeprefix('http://')}{access}."]
    return [normalise(c) for c in chunks if c and normalise(c)]


def reference_segments(text: str) -> list[str]:
    """The sentences and table cells of an extracted factsheet, without page furniture and markup."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() in ("Contents", "Content"))
    end = start + 1
    while end < len(lines) and (lines[end].strip() or end == start + 1):
        end += 1
    lines = lines[:start] + lines[end:]
    text = "\n".join(line for line in lines if not re.fullmatch(r"\s*\d{2}\s*", line))
    text = re.sub(r"\[([^\]]*)\]\((#|[^)]*)\)", lambda m: m.group(1) if m.group(2) == "#" else m.group(2), text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = re.sub(r"</?(p|ul|ol|li)\b[^>]*>", "\t", text)
    text = text.replace("León1)", "León)").replace("Available at:", "\t").replace("•", "\t")
    segments = []
    for cell in re.split(r"[\t\n]+", text):
        for sentence in re.split(r"(?<=[.;!?])\s+(?=\S)|\s(?=\d{1,2}[.)]\s)", cell):
            sentence = re.sub(r"^\s*(\d{1,2}[.)]|-|\*)(\s|$)", "", sentence)
            sentence = normalise(sentence.rstrip("*"))
            if sentence and re.search(r"[a-z0-9]", sentence):
                segments.append(sentence)
    return segments


def is_covered(segment: str, corpus: str, chunks: set[str]) -> bool:
    """True when segment is in the corpus, or reads as a run of stored pieces (labels printed side by side)."""
    if segment in corpus:
        return True
    words, i = segment.split(" "), 0
    while i < len(words):
        j = len(words)
        while j > i and " ".join(words[i:j]) not in corpus:
            j -= 1
        run = " ".join(words[i:j])
        if j == i or (j - i < 3 and run not in chunks):
            return False
        i = j
    return True


@pytest.mark.parametrize("year", [2020, 2023])
def test_every_sentence_of_the_reference_factsheet_is_stored(demo, year):
    chunks = stored_chunks(demo[year])
    corpus, chunk_set = "\n".join(chunks), set(chunks)
    text = (REFERENCE_DIR / f"eccp-mexico-factsheet-{year}.txt").read_text(encoding="utf-8")
    segments = reference_segments(text)
    missing = [s for s in segments if not is_covered(s, corpus, chunk_set)]
    assert len(segments) > 150
    assert missing == []


def test_completeness_check_notices_a_missing_sentence(demo):
    policy = demo[2023].policies.get(order=1)
    policy.objectives_text = policy.objectives_text.replace("and recycling in particular", "in particular")
    policy.save()
    chunks = stored_chunks(demo[2023])
    text = (REFERENCE_DIR / "eccp-mexico-factsheet-2023.txt").read_text(encoding="utf-8")
    missing = [s for s in reference_segments(text) if not is_covered(s, "\n".join(chunks), set(chunks))]
    assert any("green industries and recycling in particular" in s for s in missing)


def test_demo_content_per_factsheet(demo):
    mx2020, mx2023 = demo[2020], demo[2023]
    assert [p.name for p in mx2020.policies.all()] == [
        "Business and Investment Development Strategy 2014-2020 Industrial policy"
    ]
    assert [p.policy_type.label for p in mx2023.policies.all()] == ["Broad policy", "Regional cluster policy"]
    assert mx2020.footnotes.count() == 3 and mx2023.footnotes.count() == 2
    assert mx2020.references.count() == 15 and mx2023.references.count() == 22  # 2020: 15 bullets, as printed
    assert mx2020.assessments.count() == 4 and mx2023.assessments.count() == 4
    broad = mx2023.policies.get(order=1)
    assert broad.beneficiaries_other == "Nature"
    assert broad.evaluation.label == "ex-ante"
    assert broad.period == Policy.Period.UNLIMITED and broad.end_year is None and broad.start_year == 2022
    regional_2020 = mx2020.policies.get()
    assert (regional_2020.start_year, regional_2020.end_year) == (2015, 2030)
    assert [a.score for a in mx2020.assessments.all()] == [2, 1, 0, 2]
    # Every selection belongs to the factsheet's own edition.
    for factsheet in (mx2020, mx2023):
        for policy in factsheet.policies.all():
            for field in POLICY_M2M_FIELDS:
                assert all(c.edition_id == factsheet.edition_id for c in getattr(policy, field).all())


def test_load_demo_twice_changes_nothing(demo):
    def snapshot():
        return {
            "factsheets": list(Factsheet.objects.values_list("pk", "updated_at", "lock_version")),
            "policies": Policy.objects.count(),
            "categories": Category.objects.count(),
            "footnotes": list(Footnote.objects.values_list("pk", "text")),
            "references": list(Reference.objects.values_list("pk", "citation", "url")),
        }

    before = snapshot()
    call_command("load_demo", "--no-users", verbosity=0)
    assert snapshot() == before


def test_demo_users_need_debug_or_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("load_demo", verbosity=0)
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.exists()
    assert not Factsheet.objects.exists()


def test_demo_users_with_force(settings):
    settings.DEBUG = False
    call_command("load_demo", "--force", verbosity=0)
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.prefetch_related("groups")}
    assert set(users) == {"analyst", "reviewer", "editor", "admin"}
    assert [g.name for g in users["reviewer"].groups.all()] == ["Reviewer"]
    assert users["editor"].check_password("editor")
    assert users["admin"].is_superuser
    call_command("load_demo", "--force", verbosity=0)
    assert get_user_model().objects.count() == 4


def test_vocabularies_are_per_edition(demo):
    labels_2023 = set(Category.objects.filter(edition__year=2023, vocabulary=Vocabulary.OBJECTIVE)
                      .values_list("label", flat=True))
    assert "Increase supply chain resilience" in labels_2023
    assert not Category.objects.filter(
        edition__year=2020, vocabulary=Vocabulary.OBJECTIVE, label="Increase supply chain resilience"
    ).exists()
