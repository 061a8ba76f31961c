"""Build the EU controlled vocabularies the DCAT-AP test loads (tests/data/dcat-ap/vocabularies/*.ttl).

Each output keeps, of each concept, only what the DCAT-AP 3.0.1 shapes read: its type, its skos:inScheme and its
English skos:prefLabel. Where a vocabulary's RDF was found in a public repository, every concept of the scheme
is taken from that file (source repository, commit and path are written into the output's header); where it was
not, the few concepts the catalogue uses are written here, each with the published document that names its IRI.

    .venv/bin/python tests/data/build_dcat_ap_vocabularies.py            # sources from the fetched mirrors
    .venv/bin/python tests/data/build_dcat_ap_vocabularies.py --check    # rebuild in memory, compare, exit 1 if not

The EU vocabularies are published by the Publications Office of the European Union; reuse is authorised under
CC BY 4.0 (Commission Decision 2011/833/EU and C(2019) 1655). IANA's media types registry is public.
"""

import argparse
import subprocess
import sys
from pathlib import Path

from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef

OUT = Path(__file__).parent / "dcat-ap" / "vocabularies"
MIRRORS = Path("/work/.mirror")
AUTHORITY = "http://publications.europa.eu/resource/authority/"
DCT = Namespace("http://purl.org/dc/terms/")

# (output, scheme, repository, commit, path in the repository, RDF format)
FOUND = [
    ("country.ttl", AUTHORITY + "country", "europarl/open-data-beta-testing",
     "92a74f9a68e054439dd5f099c7a88279aacfead5", "controlled-vocabularies/countries-skos.rdf", "xml"),
    ("file-type.ttl", AUTHORITY + "file-type", "europarl/open-data-beta-testing",
     "92a74f9a68e054439dd5f099c7a88279aacfead5", "controlled-vocabularies/filetypes-skos.rdf", "xml"),
    ("data-theme.ttl", AUTHORITY + "data-theme", "berlinonline/ckanext-dcatde_berlin",
     "d0a06dacf3284e58fb9512251d9d96eab5a4bfd0", "reference/mdr-nal/data-theme-skos-ap-act.ttl", "turtle"),
]
# The IANA media types the catalogue uses, from SEMIC's RDF rendering of the IANA registry.
IANA = ("SEMICeu/iana-to-rdf", "2da69c48ed3f7b1691c343d8e3ebe8399861b1e4", "assignments/media-types/media-types.ttl")
MEDIA_TYPES = ["application/json", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "application/ld+json"]

# Vocabularies whose RDF is not in a public repository we could read: the concepts the catalogue uses, each
# with where its IRI is published.
WRITTEN = {
    "language.ttl": (AUTHORITY + "language", "Language", [
        ("ENG", "English", "DCAT-AP 3.0.1 examples (SEMICeu/DCAT-AP releases/3.0.1/html/examples/*.ttl) and "
                           "mdr_imports.ttl, which imports this table"),
    ]),
    "licence.ttl": (AUTHORITY + "licence", "Licence", [
        ("CC_BY_4_0", "Creative Commons Attribution 4.0 International",
         "EU Vocabularies Licences table; the IRI the issue names and DCAT-AP implementations use "
         "(e.g. ckanext-dcat's tests, DCAT-AP-ES)"),
    ]),
    "corporate-body.ttl": (AUTHORITY + "corporate-body", "Corporate body", [
        ("COM", "European Commission", "SEMICeu/DCAT-AP releases/3.0.1/html/shacl/shapes_recommended.ttl "
                                       "(org:memberOf of one of its authors)"),
    ]),
    "planned-availability.ttl": (AUTHORITY + "planned-availability", "Planned availability", [
        ("STABLE", "stable", "DCAT-AP 3.0.1 specification, Distribution › availability (mdr-vocabularies.shape.ttl "
                             "checks this scheme)"),
    ]),
}
ADMS = {
    "adms-publishertype.ttl": ("http://purl.org/adms/publishertype/1.0", "Publisher type", [
        ("http://purl.org/adms/publishertype/SupraNationalAuthority", "Supra-national authority",
         "ADMS publisher types (SEMICeu ADMS_SKOS_v1.00.rdf, imported by DCAT-AP's mdr_imports.ttl)"),
    ]),
    "adms-licencetype.ttl": ("http://purl.org/adms/licencetype/1.0", "Licence type", [
        ("http://purl.org/adms/licencetype/Attribution", "Attribution",
         "ADMS licence types (SEMICeu ADMS_SKOS_v1.00.rdf, imported by DCAT-AP's mdr_imports.ttl)"),
    ]),
}


def _git_show(repo: str, commit: str, path: str) -> bytes:
    git_dir = MIRRORS / repo.replace("/", "+") / "repo"
    return subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{commit}:{path}"], check=True,
                          capture_output=True).stdout


def _serialise(graph: Graph, header: str) -> str:
    graph.bind("skos", SKOS)
    graph.bind("dct", DCT)
    body = graph.serialize(format="turtle")
    return "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines()) + "\n" + body


def _scheme(graph: Graph, scheme: str, title: str) -> None:
    graph.add((URIRef(scheme), RDF.type, SKOS.ConceptScheme))
    graph.add((URIRef(scheme), DCT.title, Literal(title, lang="en")))


def build() -> dict[str, str]:
    files = {}
    for name, scheme, repo, commit, path, fmt in FOUND:
        source = Graph().parse(data=_git_show(repo, commit, path), format=fmt)
        out = Graph()
        title = next((str(label) for label in source.objects(URIRef(scheme), SKOS.prefLabel)
                      if label.language == "en"), name.removesuffix(".ttl"))
        _scheme(out, scheme, title)
        for concept in sorted(set(source.subjects(SKOS.inScheme, URIRef(scheme)))):
            out.add((concept, RDF.type, SKOS.Concept))
            out.add((concept, SKOS.inScheme, URIRef(scheme)))
            for label in source.objects(concept, SKOS.prefLabel):
                if label.language == "en":
                    out.add((concept, SKOS.prefLabel, label))
        files[name] = _serialise(out, f"{scheme}: every concept of the scheme, type, scheme and English label only.\n"
                                      f"Source: github.com/{repo} at {commit}, {path}\n"
                                      "(a copy of the EU Vocabularies table; CC BY 4.0, Publications Office "
                                      "of the EU).\n"
                                      "Generated by tests/data/build_dcat_ap_vocabularies.py: do not edit.")
    repo, commit, path = IANA
    source = Graph().parse(data=_git_show(repo, commit, path), format="turtle")
    out = Graph()
    for media_type in MEDIA_TYPES:
        iri = URIRef(f"https://www.iana.org/assignments/media-types/{media_type}")
        assert (iri, RDF.type, DCT.MediaType) in source, media_type
        out.add((iri, RDF.type, DCT.MediaType))
        out.add((iri, DCT.identifier, Literal(media_type)))
    files["media-types.ttl"] = _serialise(out, "IANA media types the catalogue uses (each checked to be registered).\n"
                                               f"Source: github.com/{repo} at {commit}, {path}.\n"
                                               "Generated by tests/data/build_dcat_ap_vocabularies.py: do not edit.")
    for name, (scheme, title, concepts) in {**WRITTEN, **ADMS}.items():
        out = Graph()
        _scheme(out, scheme, title)
        lines = []
        for code, label, where in concepts:
            iri = URIRef(code if code.startswith("http") else f"{scheme}/{code}")
            out.add((iri, RDF.type, SKOS.Concept))
            out.add((iri, SKOS.inScheme, URIRef(scheme)))
            out.add((iri, SKOS.prefLabel, Literal(label, lang="en")))
            lines.append(f"{iri}: {where}")
        files[name] = _serialise(out, f"{scheme}: only the concepts the catalogue uses (the table's RDF was not "
                                      "found in a public repository).\nWhere each IRI is published:\n"
                                      + "\n".join(lines) + "\nGenerated by tests/data/build_dcat_ap_vocabularies.py: "
                                                           "do not edit.")
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the files in the repository")
    args = parser.parse_args()
    files = build()
    if args.check:
        stale = [name for name, text in files.items() if (OUT / name).read_text() != text]
        print("up to date" if not stale else f"stale: {', '.join(stale)}")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text)
        print(f"{OUT / name}: {text.count(' a skos:Concept') + text.count(' a dct:MediaType')} concepts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
