"""factory_boy factories for the domain; exposed as fixtures in tests/conftest.py."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from factsheets.models import (
    Assessment,
    Category,
    Country,
    Criterion,
    Edition,
    Factsheet,
    Footnote,
    Level,
    Policy,
    QualitativeAssessment,
    Reference,
    Section,
    Topic,
    Vocabulary,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2030 + n % 70)  # stays within the allowed years however many tests run
    assessment_method = Edition.AssessmentMethod.LEVEL


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    edition = factory.SubFactory(EditionFactory)
    kind = Section.Kind.INTRODUCTION
    number = 1
    title = "Introduction"
    order = factory.Sequence(lambda n: n + 1)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    edition = factory.SubFactory(EditionFactory)
    vocabulary = Vocabulary.OBJECTIVE
    label = factory.Sequence(lambda n: f"Category {n}")
    order = factory.Sequence(lambda n: n)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    edition = factory.SubFactory(EditionFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    order = factory.Sequence(lambda n: n)


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level

    criterion = factory.SubFactory(CriterionFactory)
    label = factory.Sequence(lambda n: f"Level {n}")
    rank = factory.Sequence(lambda n: n)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    edition = factory.SubFactory(EditionFactory)
    title = factory.Sequence(lambda n: f"Topic {n}")
    order = factory.Sequence(lambda n: n)


# Countries a factory draws when a test names none: none of them is named by any test (tests/test_factories.py
# checks), so a drawn country never collides with one a test adds to the same edition, whatever the order.
_CODES = ["GB", "US", "JP", "CN", "KR", "AU", "ZA", "EG", "MA", "TN", "GE", "AM", "AZ", "MD", "ME", "MK", "BA",
          "SM", "MC", "AD", "VA", "SG", "MY", "VN", "PH", "QA", "AE", "SA", "JO", "IL", "LB", "UY", "PY", "CR"]


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: _CODES[n % len(_CODES)])
    name = factory.LazyAttribute(lambda c: c.code.name if hasattr(c.code, "name") else str(c.code))


class FactsheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Factsheet

    country = factory.SubFactory(CountryFactory)
    edition = factory.SubFactory(EditionFactory)
    introduction = "<p>An introduction.</p>"


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy

    factsheet = factory.SubFactory(FactsheetFactory)
    order = factory.Sequence(lambda n: n + 1)
    policy_type = factory.LazyAttribute(
        lambda p: CategoryFactory(edition=p.factsheet.edition, vocabulary=Vocabulary.POLICY_TYPE)
    )
    name = factory.Sequence(lambda n: f"Policy {n}")


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    factsheet = factory.SubFactory(FactsheetFactory)
    criterion = factory.LazyAttribute(lambda a: CriterionFactory(edition=a.factsheet.edition))


class QualitativeAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualitativeAssessment

    factsheet = factory.SubFactory(FactsheetFactory)
    topic = factory.LazyAttribute(lambda q: TopicFactory(edition=q.factsheet.edition))
    text = "<p>Qualitative text.</p>"


class FootnoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Footnote

    factsheet = factory.SubFactory(FactsheetFactory)
    key = factory.Sequence(lambda n: f"note-{n}")
    text = "<p>A footnote.</p>"


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    factsheet = factory.SubFactory(FactsheetFactory)
    order = factory.Sequence(lambda n: n + 1)
    citation = "Author (2020). A title."
    url = "https://example.org/report.pdf"


def publication_for(factsheet, *, by=None):
    """Publish a factsheet's content as a new revision through the real steps of a publish job (renders the
    revision's PDF and page, stores the PDF, makes the next version live); the factsheet's state is left alone."""
    from editorial import services
    from editorial.publishing.jobs import publication_make, publications_announce, revision_render
    from editorial.publishing.storage import next_number, pdf_store
    from editorial.selectors import latest_revision

    services.revision_record(factsheet=factsheet, by=by, reason="Published in a test")
    revision = latest_revision(factsheet=factsheet)
    pdf, page_html = revision_render(factsheet=factsheet, revision=revision)
    stored = pdf_store(factsheet=factsheet, pdf=pdf, key=f"v{next_number(factsheet)}")
    publication = publication_make(factsheet=factsheet, revision=revision, by=by, pdf=pdf, stored=stored,
                                   page_html=page_html)
    publications_announce(publications=[publication], reason="publish")
    return publication


def publish_fast(factsheet, *, by=None, summary=True):
    """Publish a factsheet as the publish job does (a revision, its web page, a numbered publication, the state
    published, the edition's summary report) without rendering its PDF: a stand-in file, for tests and benchmarks
    of many factsheets. `summary=False` leaves the summary to the caller (one render for many publications)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from editorial import services
    from editorial.models import Publication
    from editorial.publishing.jobs import publications_announce
    from editorial.publishing.storage import next_number
    from editorial.rendering.document import factsheet_document, page_html_render
    from editorial.selectors import latest_revision
    from factsheets.models import Factsheet, State

    services.revision_record(factsheet=factsheet, by=by, reason="Published in a test")
    revision = latest_revision(factsheet=factsheet)
    pdf = b"%PDF-1.7 stand-in for " + str(factsheet).encode()
    number = next_number(factsheet)
    publication = Publication(factsheet=factsheet, number=number, published_at=timezone.now(), published_by=by,
                              pdf_sha256=hashlib.sha256(pdf).hexdigest(), pdf_size=len(pdf), revision=revision,
                              page_html=page_html_render(factsheet_document(factsheet, revision.snapshot, web=True)))
    publication.pdf.save(f"v{number}-{publication.file_name}", ContentFile(pdf), save=False)
    publication.note = ((revision.snapshot or {}).get("factsheet") or {}).get("correction_note") or ""
    publication.save()
    Factsheet.objects.filter(pk=factsheet.pk).update(state=State.PUBLISHED)
    publications_announce(publications=[publication], reason="publish")
    if summary:
        from editorial.publishing.summaries import summary_ensure

        summary_ensure(edition=factsheet.edition)
    return publication
