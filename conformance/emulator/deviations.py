"""Named deviations: emulator variants that each break one documented rule.

They exist to prove the suite detects what it should: ``tests/test_detection.py``
runs the suite against the emulator with each deviation and asserts that every
requirement of ``breaks`` fails and that nothing fails outside ``breaks`` and
``also``. ``also`` lists requirements that read the same broken behaviour from
another side (a broken TotalCount shows in every check that reads it); they
may fail, and nothing else may.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from conformance import providers
from conformance.spec import catalog


@dataclass(frozen=True)
class Deviation:
    name: str
    vendor: str
    breaks: tuple[str, ...]
    also: tuple[str, ...]
    description: str
    #: the document revision whose rule it breaks ("": the seed's); a run judging that revision detects it
    revision: str = ""

    @property
    def requirement(self) -> str:
        return self.breaks[0]


def _d(name: str, vendor: str, breaks: str, description: str, also: str = "", revision: str = "") -> Deviation:
    return Deviation(name, vendor, tuple(breaks.split()), tuple(also.split()), description, revision)


_ALI_2021 = "2021-05-17"


_ALI_404 = "ALI-ERR-001 ALI-ERR-002 ALI-ERR-003 ALI-ERR-005 ALI-ERR-006"
_ALI_ERRORS = f"{_ALI_404} ALI-ERR-007 ALI-ERR-008 ALI-ERR-009 ALI-ERR-011"
_TC_ERRORS = "TC-ERR-001 TC-ERR-002 TC-ERR-003 TC-ERR-004 TC-ERR-005 TC-ERR-006 TC-ERR-007 TC-ERR-008 TC-ERR-009"

CATALOGUE: tuple[Deviation, ...] = (
    # ---------------------------------------------------------------- Alibaba
    _d("page-size-over-100-honoured", "alibaba", "ALI-PAGE-010",
       "PageSize up to 1000 is served as asked instead of refused past 100."),
    _d("page-size-echo-of-partial-page", "alibaba", "ALI-PAGE-012",
       "A partial page echoes PageSize as the number of instances on it."),
    _d("page-number-echo-past-end", "alibaba", "ALI-PAGE-011",
       "A page past the end echoes the number of the last page instead of the one asked for."),
    _d("total-count-ignores-filters", "alibaba", "ALI-PAGE-013",
       "TotalCount counts the whole region whatever the filters select.",
       also="ALI-EMPTY-001 ALI-EMPTY-002 ALI-EMPTY-003 ALI-FILT-007"),
    _d("array-limit-unchecked", "alibaba", "ALI-ERR-012 ALI-FILT-009",
       "JSON arrays of more than 100 ids or addresses are served."),
    _d("array-limit-50", "alibaba", "ALI-FILT-007 ALI-FILT-008",
       "JSON arrays of more than 50 ids or addresses are refused, below the documented 100."),
    _d("tag-limit-10", "alibaba", "ALI-FILT-010",
       "Tag.N above 10 is refused with InvalidTagCount, below the documented 20."),
    _d("dry-run-skips-required", "alibaba", "ALI-DRY-006",
       "DryRun answers DryRunOperation without checking that RegionId is given."),
    _d("pages-from-zero", "alibaba", "ALI-PAGE-001",
       "PageNumber counts from 0: PageNumber=1 answers the second page.",
       also="ALI-PAGE-004 ALI-PAGE-005 ALI-PAGE-009"),
    _d("default-page-number-0", "alibaba", "ALI-PAGE-002",
       "Without PageNumber the handler uses page 0, which is empty.",
       also="ALI-PAGE-003 ALI-PAGE-006"),
    _d("page-number-ignored", "alibaba", "ALI-PAGE-006",
       "The answer always says PageNumber 1 and always holds the first page.",
       also="ALI-PAGE-001 ALI-PAGE-005 ALI-PAGE-008 ALI-PAGE-009"),
    _d("default-page-size-20", "alibaba", "ALI-PAGE-003",
       "Without PageSize a page holds 20 instances instead of 10.", also="ALI-PAGE-007"),
    _d("page-size-cap-50", "alibaba", "ALI-PAGE-004",
       "PageSize above 50 is quietly lowered to 50.", also="ALI-PAGE-009"),
    _d("page-size-not-echoed", "alibaba", "ALI-PAGE-007",
       "The answer's PageSize is always 10, whatever was asked."),
    _d("offset-ignores-page-size", "alibaba", "ALI-PAGE-009",
       "A page starts at (PageNumber-1)*10 whatever PageSize says: only pages of 10 are right.",
       also="ALI-PAGE-001 ALI-PAGE-005 ALI-PAGE-008"),
    _d("total-count-of-page", "alibaba", "ALI-PAGE-005",
       "TotalCount is the number of instances on the page, not of the whole listing.",
       also="ALI-PAGE-001 ALI-PAGE-004 ALI-PAGE-008"),
    _d("past-end-repeats-last", "alibaba", "ALI-PAGE-008",
       "A page past the end answers the last page again.", also="ALI-PAGE-009"),
    _d("filters-or", "alibaba", "ALI-FILT-001",
       "Parameters are OR-combined instead of AND-combined.",
       also="ALI-FILT-002 ALI-FILT-004 ALI-EMPTY-001 ALI-FILT-EipAddresses ALI-FILT-InnerIpAddresses ALI-FILT-PrivateIpAddresses"),
    _d("filter-ignored", "alibaba", "ALI-FILT-KeyPairName",
       "KeyPairName is accepted and ignored.", also="ALI-FILT-001 ALI-FILT-002"),
    _d("wildcard-literal", "alibaba", "ALI-FILT-003",
       "InstanceName matches literally: '*' is not a wildcard."),
    _d("tags-any-pair", "alibaba", "ALI-FILT-004",
       "Instances bound with any one of the given tags are returned, not with all."),
    _d("ids-comma-string", "alibaba", "ALI-FILT-005",
       "InstanceIds is read as a comma-separated string, not as a JSON array.",
       also="ALI-FILT-001 ALI-FILT-002 ALI-ERR-012 ALI-FILT-007"),
    _d("region-ignored", "alibaba", "ALI-FILT-006",
       "The listing holds every region's instances whatever RegionId says."),
    _d("empty-ids-all", "alibaba", "ALI-EMPTY-001",
       "InstanceIds=[] is treated as absent: everything is returned."),
    _d("empty-list-null", "alibaba", "ALI-EMPTY-002",
       "An empty listing renders Instances.Instance as null in JSON.", also="ALI-SCHEMA-001 ALI-SCHEMA-004"),
    _d("xml-empty-wrapper-missing", "alibaba", "ALI-EMPTY-003",
       "An empty listing in XML leaves out the <Instances> wrapper.", also="ALI-SCHEMA-002"),
    _d("dry-run-ignored", "alibaba", "ALI-DRY-001",
       "DryRun=true is ignored: the listing is returned."),
    _d("dry-run-skips-validation", "alibaba", "ALI-DRY-002",
       "DryRun=true answers DryRunOperation before validating the parameters.", also="ALI-DRY-006"),
    _d("dry-run-side-effect", "alibaba", "ALI-DRY-003",
       "A DryRun request is carried out: it starts the first stopped instance of the region."),
    _d("dry-run-skips-auth", "alibaba", "ALI-DRY-004",
       "DryRun=true is answered without checking the signature."),
    _d("dry-run-false-is-dry", "alibaba", "ALI-DRY-005",
       "DryRun=false is read as true (a non-empty string)."),
    _d("status-404-as-400", "alibaba", _ALI_404,
       "The documented 404 errors are answered with HTTP 400."),
    _d("tag-mismatch-accepted", "alibaba", "ALI-ERR-007",
       "A Tag.N.Value without its Tag.N.Key is ignored instead of refused."),
    _d("tag-count-unchecked", "alibaba", "ALI-ERR-008",
       "Tag.N beyond N=20 is accepted."),
    _d("hpc-cluster-unchecked", "alibaba", "ALI-ERR-009",
       "An unknown HpcClusterId answers an empty listing instead of an error."),
    _d("region-optional", "alibaba", "ALI-ERR-011",
       "A request without RegionId lists the first region instead of being refused.", also="ALI-DRY-006"),
    _d("error-without-request-id", "alibaba", f"ALI-SCHEMA-003 {_ALI_ERRORS}",
       "Error answers carry no RequestId.", also="ALI-SCHEMA-004"),
    _d("list-as-object", "alibaba", "ALI-SCHEMA-001",
       "A one-item SecurityGroupId list in JSON is rendered as the bare string.",
       also="ALI-SCHEMA-004 ALI-FILT-001 ALI-FILT-002 ALI-FILT-SecurityGroupId"),
    _d("number-as-string", "alibaba", "ALI-SCHEMA-001",
       "Cpu is rendered as a string in JSON.", also="ALI-SCHEMA-004"),
    _d("xml-booleans-capitalised", "alibaba", "ALI-SCHEMA-002",
       "XML renders booleans as True/False (Python's spelling) instead of true/false."),
    _d("server-error-past-end", "alibaba", "ALI-SCHEMA-004",
       "A PageNumber past the last page crashes the handler (an index out of range): HTTP 500.",
       also="ALI-PAGE-008 ALI-PAGE-009 ALI-PAGE-011 ALI-PAGE-012"),
    _d("wrong-signature-accepted", "alibaba", "ALI-AUTH-001",
       "Signatures are not compared: any signature is accepted.", also="ALI-DRY-004"),
    _d("unknown-key-accepted", "alibaba", "ALI-AUTH-002",
       "An AccessKey id the emulator does not know is served with the default secret."),
    # subtler deviations (issue 13): off by one, one end of a pattern, one value of many
    _d("last-page-short-by-one", "alibaba", "ALI-PAGE-001",
       "The last of several pages leaves out its last instance.", also="ALI-PAGE-005 ALI-PAGE-009"),
    _d("pages-overlap-by-one", "alibaba", "ALI-PAGE-001",
       "Every page after the first starts one instance early: pages overlap by one.",
       also="ALI-PAGE-005 ALI-PAGE-008 ALI-PAGE-009"),
    _d("offset-shifted-by-one", "alibaba", "ALI-PAGE-001",
       "Every page starts one instance late: the first instance is never listed.",
       also="ALI-PAGE-005 ALI-PAGE-009"),
    _d("inverted-InstanceType", "alibaba", "ALI-FILT-InstanceType",
       "InstanceType selects the instances NOT of the given type.", also="ALI-FILT-001 ALI-FILT-002"),
    _d("first-value-only", "alibaba", "ALI-FILT-005 ALI-FILT-007 ALI-FILT-008",
       "Of a JSON array (InstanceIds, the IP address lists), only the first element is used."),
    _d("wildcard-prefix-only", "alibaba", "ALI-FILT-003",
       "InstanceName honours '*' at the end of a pattern only ('web-*'); a leading '*' is a literal character."),
    _d("wildcard-suffix-only", "alibaba", "ALI-FILT-003",
       "InstanceName honours '*' at the start of a pattern only ('*-01'); a trailing '*' is a literal character."),
    # the suite's own transport reads XML wherever it comes: only the client category sees these. The SDK
    # reads an XML error in ACS3 mode only under the vendor's exact content type (text/xml;charset=utf-8).
    _d("errors-as-xml", "alibaba", "ALI-CLIENT-003 ALI-CLIENT-004",
       "Error answers are sent as application/xml whatever Format asks (JSON, the default): the SDK cannot read them.",
       also="ALI-SCHEMA-004"),
    _d("answers-as-xml", "alibaba", "ALI-CLIENT-001 ALI-CLIENT-002 ALI-CLIENT-004",
       "Every answer is sent as XML whatever Format asks (JSON, the default): the SDK cannot read the listings.",
       also="ALI-SCHEMA-004"),
    # issue 18: filtered paging, ids beside other conditions, exact matching, wire forms
    _d("filtered-page-cut-before-filter", "alibaba", "ALI-PAGE-014",
       "With any condition, the page is cut from the region's unfiltered listing and then filtered (short pages)."),
    _d("filtered-offset-ignored", "alibaba", "ALI-PAGE-014",
       "With any condition, PageNumber is ignored: the first page of the filtered listing comes back."),
    _d("ids-override-filters", "alibaba", "ALI-FILT-011",
       "A non-empty InstanceIds makes every other filter parameter and tag ignored."),
    _d("ids-override-region", "alibaba", "ALI-FILT-011",
       "A non-empty InstanceIds is looked up across all regions, not only RegionId's."),
    _d("duplicate-ids-counted", "alibaba", "ALI-FILT-011",
       "An id repeated in InstanceIds lists its instance twice and counts it twice in TotalCount."),
    _d("exact-filter-prefix", "alibaba", "ALI-FILT-012",
       "Exact-match filter parameters select the instances whose value starts with the given one."),
    _d("exact-filter-case-insensitive", "alibaba", "ALI-FILT-012",
       "Exact-match filter parameters compare without regard to letter case."),
    _d("enum-case-insensitive", "alibaba", "ALI-FILT-012",
       "Enumerated parameters take a listed value in another letter case ('running') instead of refusing it."),
    _d("repeated-tag-key-last-wins", "alibaba", "ALI-FILT-013",
       "Of two Tag.N pairs with the same key only the last is used, instead of both."),
    _d("xml-paged-differently", "alibaba", "ALI-PAGE-009",
       "In XML answers every page starts one instance late; JSON pages are right."),
    _d("xml-errors-status-400", "alibaba", _ALI_404,
       "XML answers of the documented 404 errors carry HTTP 400; JSON ones are right."),
    _d("page-size-0-accepted", "alibaba", "ALI-PAGE-016",
       "PageSize=0 is served as the default page size (10) instead of refused."),
    _d("address-limit-unchecked", "alibaba", "ALI-FILT-014",
       "The 100-element limit holds for InstanceIds only: the IP address arrays take 101 elements."),
    _d("acs3-signature-unverified", "alibaba", "ALI-AUTH-001",
       "Requests signed with ACS3-HMAC-SHA256 are served whatever their signature; RPC signatures are checked."),
    _d("times-not-utc", "alibaba", "ALI-SCHEMA-006",
       "Time fields are rendered in UTC+8 with an offset (2099-12-31T23:59+08:00) instead of UTC (Z)."),
    _d("acs3-skips-validation", "alibaba", _ALI_404,
       "In the ACS3 form enumerated values are not validated: an unknown Status answers an empty listing."),
    # -------------------------------------------------- Alibaba, rules the 2021-05-17 revision adds
    _d("token-walk-skips-one", "alibaba", "ALI-PAGE-020",
       "NextToken points one instance past the end of its page: a token walk misses one per page.",
       revision=_ALI_2021),
    _d("max-results-unbounded", "alibaba", "ALI-PAGE-022",
       "MaxResults up to 1000 is served as asked instead of refused past 100.", revision=_ALI_2021),
    _d("max-results-capped-50", "alibaba", "ALI-PAGE-021",
       "MaxResults above 50 is quietly lowered to 50.", revision=_ALI_2021),
    _d("max-results-default-20", "alibaba", "ALI-PAGE-023",
       "Without MaxResults a token's page holds 20 instances instead of 10.", revision=_ALI_2021),
    _d("token-honours-page-size", "alibaba", "ALI-PAGE-024",
       "With NextToken set, a PageSize given still sets the size of the page.", revision=_ALI_2021),
    _d("creation-time-filters-ignored", "alibaba", "ALI-FILT-020 ALI-FILT-021",
       "Filter.N.Key=CreationStartTime/CreationEndTime is accepted and selects nothing out.", revision=_ALI_2021),
    _d("expired-time-filters-swapped", "alibaba", "ALI-FILT-022 ALI-FILT-023",
       "ExpiredStartTime bounds the range's end and ExpiredEndTime its beginning.", revision=_ALI_2021),
    _d("filter-key-unknown-accepted", "alibaba", "ALI-ERR-004",
       "A Filter.N.Key that is none of the time keys is ignored instead of refused.", revision=_ALI_2021),
    _d("time-value-unchecked", "alibaba", "ALI-ERR-020",
       "A Filter.N.Value not in the yyyy-MM-ddTHH:mmZ form is ignored instead of refused.", revision=_ALI_2021),
    _d("new-eni-fields-mistyped", "alibaba", "ALI-SCHEMA-001",
       "PrivateIpSets.PrivateIpSet[].Primary, a field this revision adds, is the string \"true\", not a boolean.",
       also="ALI-SCHEMA-004", revision=_ALI_2021),
    # ---------------------------------------------------------------- Tencent
    _d("offset-as-page", "tencent", "TC-PAGE-005",
       "Offset is read as a page number: the window starts at Offset*Limit.", also="TC-PAGE-004 TC-PAGE-007"),
    _d("offset-rounded-to-limit", "tencent", "TC-PAGE-007",
       "Offset is rounded down to a multiple of Limit: only page-aligned windows are right."),
    _d("default-limit-10", "tencent", "TC-PAGE-002",
       "Without Limit an answer holds 10 instances instead of 20."),
    _d("limit-cap-50", "tencent", "TC-PAGE-003",
       "Limit above 50 is quietly lowered to 50.", also="TC-PAGE-007"),
    _d("default-offset-1", "tencent", "TC-PAGE-001",
       "Without Offset the window starts at the second instance."),
    _d("total-count-of-page", "tencent", "TC-PAGE-004",
       "TotalCount is the number of instances in the window, not of the whole listing.",
       also="TC-PAGE-003 TC-PAGE-005 TC-PAGE-006"),
    _d("past-end-repeats-last", "tencent", "TC-PAGE-006",
       "A window past the end answers the last window again.", also="TC-PAGE-007"),
    _d("filters-or", "tencent", "TC-FILT-001",
       "Filters are OR-combined instead of AND-combined."),
    _d("limit-over-100-honoured", "tencent", "TC-PAGE-008",
       "Limit up to 1000 is served as asked instead of refused past 100."),
    _d("total-count-ignores-filters", "tencent", "TC-PAGE-009",
       "TotalCount counts the whole region whatever the filters select.", also="TC-EMPTY-001 TC-FILT-007"),
    _d("id-limit-50", "tencent", "TC-FILT-007",
       "More than 50 instance ids are refused, below the documented 100."),
    _d("filter-limit-5", "tencent", "TC-FILT-008",
       "More than 5 filters are refused, below the documented 10."),
    _d("filter-ignored", "tencent", "TC-FILT-project-id",
       "The project-id filter is accepted and ignored.", also="TC-FILT-001 TC-FILT-002"),
    _d("filter-values-and", "tencent", "TC-FILT-003",
       "The values of one filter are AND-combined instead of OR-combined.", also="TC-FILT-002"),
    _d("name-exact-only", "tencent", "TC-FILT-004",
       "instance-name matches whole names only, not parts of them.", also="TC-FILT-008"),
    _d("ids-ignored", "tencent", "TC-FILT-005",
       "InstanceIds is accepted and ignored: the whole listing is returned.", also="TC-EMPTY-001 TC-FILT-007"),
    _d("instanceset-null", "tencent", "TC-EMPTY-001",
       "A query that matches nothing answers InstanceSet null.", also="TC-SCHEMA-001 TC-SCHEMA-003"),
    _d("ids-and-filters-accepted", "tencent", "TC-ERR-001",
       "InstanceIds together with Filters is accepted (the filters win)."),
    _d("charge-type-unchecked", "tencent", "TC-ERR-002",
       "An unknown instance-charge-type matches nothing instead of being refused."),
    _d("malformed-id-accepted", "tencent", "TC-ERR-003",
       "A malformed instance id matches nothing instead of being refused."),
    _d("malformed-host-accepted", "tencent", "TC-ERR-004",
       "A malformed host id matches nothing instead of being refused."),
    _d("id-limit-unchecked", "tencent", "TC-ERR-005",
       "More than 100 InstanceIds are accepted."),
    _d("value-limit-unchecked", "tencent", "TC-ERR-006",
       "More than 5 values in one filter are accepted."),
    _d("filter-limit-unchecked", "tencent", "TC-ERR-007",
       "More than 10 filters are accepted."),
    _d("unknown-filter-ignored", "tencent", "TC-ERR-008",
       "A filter name outside the table is ignored instead of refused.", also="TC-SCHEMA-002"),
    _d("foreign-zone-empty", "tencent", "TC-ERR-009",
       "A zone of another region matches nothing instead of being refused."),
    _d("error-without-request-id", "tencent", f"TC-SCHEMA-002 {_TC_ERRORS}",
       "Error answers carry no RequestId.", also="TC-SCHEMA-003"),
    _d("number-as-string", "tencent", "TC-SCHEMA-001",
       "CPU is rendered as a string.", also="TC-SCHEMA-003"),
    _d("server-error-past-end", "tencent", "TC-SCHEMA-003",
       "An Offset past the end of the listing crashes the handler (an index out of range): HTTP 500.",
       also="TC-PAGE-006 TC-PAGE-007"),
    _d("wrong-signature-accepted", "tencent", "TC-AUTH-001",
       "Signatures are not compared: any signature is accepted."),
    _d("unknown-key-accepted", "tencent", "TC-AUTH-002",
       "A SecretId the emulator does not know is served with the default key."),
    # subtler deviations (issue 13): off by one, one end of a pattern, one value of many
    _d("last-page-short-by-one", "tencent", "TC-PAGE-005",
       "The last of several windows leaves out its last instance.", also="TC-PAGE-004 TC-PAGE-007"),
    _d("pages-overlap-by-one", "tencent", "TC-PAGE-005",
       "Every window at an Offset above 0 starts one instance early: consecutive windows overlap by one.",
       also="TC-PAGE-004 TC-PAGE-006 TC-PAGE-007"),
    _d("offset-shifted-by-one", "tencent", "TC-PAGE-005",
       "The window starts at Offset+1: the first instance is never listed.", also="TC-PAGE-004 TC-PAGE-007"),
    _d("inverted-zone", "tencent", "TC-FILT-zone",
       "The zone filter selects the instances of the region's other zones.",
       also="TC-FILT-001 TC-FILT-002 TC-FILT-003"),
    _d("first-value-only", "tencent", "TC-FILT-003 TC-FILT-008",
       "Of a filter's Values only the first is used."),
    _d("name-prefix-only", "tencent", "TC-FILT-004",
       "instance-name matches only names that begin with the value, not names that contain it elsewhere."),
    _d("errors-http-400", "tencent", "TC-CLIENT-004 TC-CLIENT-005 TC-CLIENT-006",
       "Error answers are sent with HTTP 400 instead of 200: the SDK raises ServerNetworkError, never the code."),
    _d("success-http-201", "tencent", "TC-CLIENT-001 TC-CLIENT-002 TC-CLIENT-003",
       "Listings are sent with HTTP 201 instead of 200: the SDK raises ServerNetworkError instead of a page."),
    _d("hmac-sha1-refused", "tencent", "TC-CLIENT-003 TC-CLIENT-006",
       "Requests signed with HmacSHA1, a signing mode the SDK offers, are refused with AuthFailure.SignatureFailure."),
    # issue 18: filtered paging, ids, exact matching, repeated filters, limits, wire forms
    _d("filtered-page-cut-before-filter", "tencent", "TC-PAGE-010",
       "With any condition, the window is cut from the region's unfiltered listing and then filtered (short windows)."),
    _d("filtered-offset-ignored", "tencent", "TC-PAGE-010",
       "With any condition, Offset is ignored: the window starts at the first match."),
    _d("ids-override-region", "tencent", "TC-FILT-009",
       "InstanceIds are looked up across all regions, not only the request's Region."),
    _d("duplicate-ids-counted", "tencent", "TC-FILT-009",
       "An id repeated in InstanceIds lists its instance twice and counts it twice in TotalCount."),
    _d("exact-filter-prefix", "tencent", "TC-FILT-010",
       "Exact filters (all but instance-name) select the instances whose value starts with the given one."),
    _d("exact-filter-case-insensitive", "tencent", "TC-FILT-010",
       "Exact filters compare without regard to letter case (zone AP-GUANGZHOU-3 works)."),
    _d("enum-case-insensitive", "tencent", "TC-FILT-010",
       "instance-charge-type takes a listed value in another letter case ('prepaid') instead of refusing it."),
    _d("repeated-filter-last-wins", "tencent", "TC-FILT-011",
       "Of two Filters entries with the same Name only the last counts, instead of both."),
    _d("limit-0-as-default", "tencent", "TC-PAGE-011",
       "Limit=0 is served as the default 20 instead of refused."),
    _d("values-limit-only-zone", "tencent", "TC-ERR-012",
       "The limit of 5 values per filter holds for the zone filter only."),
    _d("hmac256-signature-unverified", "tencent", "TC-AUTH-001",
       "Form requests signed with HmacSHA256 are served whatever their signature; TC3 signatures are checked."),
    _d("request-id-constant", "tencent", "TC-SCHEMA-005",
       "Every answer carries the same RequestId."),
    _d("validate-first-value-only", "tencent", "TC-ERR-011",
       "Of a filter's Values (and of InstanceIds) only the first is validated; a bad later value matches nothing."),
    _d("form-skips-validation", "tencent", "TC-ERR-002 TC-ERR-003 TC-ERR-004 TC-ERR-009",
       "Form (HmacSHA256) requests are not validated for values: bad ones match nothing; TC3 requests are."),
)

#: The requirements that read every filter at once: a deviation of one filter may show there too.
_ALL_FILTERS = {"alibaba": "ALI-FILT-001 ALI-FILT-002", "tencent": "TC-FILT-001 TC-FILT-002 TC-FILT-003"}


def _one_filter_ignored() -> tuple[Deviation, ...]:
    """``ignored-<filter>``: one filter accepted and ignored, for every filter with a requirement of its own."""
    out = []
    for vendor, generic in _ALL_FILTERS.items():
        cat = catalog.load(vendor)
        own = {r.args["filter"]: r.id for r in cat.requirements if r.check == "filter_single" and "filter" in r.args}
        for name, requirement in own.items():
            dependants = [own[other] for other, spec in cat.filters.items() if name in spec.requires and other in own]
            dependants += [r.id for r in cat.requirements if r.args.get("filter") == name and r.id != requirement]
            out.append(_d(f"ignored-{name}", vendor, requirement, f"The {name} filter is accepted and ignored.",
                          also=" ".join([generic, *dependants])))
    return tuple(out)


def _one_value_refused() -> tuple[Deviation, ...]:
    """``enum-value-refused-<filter>``: the first value the document lists refused as invalid, per enum requirement.

    What else reads that value may fail too: the filter's own requirement, the requirements that
    draw values of every filter, and the filters that need it (``requires``) to take effect.
    """
    out = []
    for vendor, generic in _ALL_FILTERS.items():
        cat = catalog.load(vendor)
        for requirement in cat.requirements:
            if requirement.check != "enum_values":
                continue
            name = requirement.args["filter"]
            related = [r.id for r in cat.requirements if r.id != requirement.id and r.documented and (
                r.args.get("filter") == name or r.args.get("filter") in
                {other for other, spec in cat.filters.items() if name in spec.requires})]
            out.append(_d(f"enum-value-refused-{name}", vendor, requirement.id,
                          f"{name}: the first value the document lists is refused as if it were not valid.",
                          also=" ".join([generic, *related])))
    return tuple(out)


def _filtered_running_only() -> tuple[Deviation, ...]:
    """``filtered-running-only``: every filtered answer leaves out what is not running, a filter nobody asked for.

    It breaks "only the specified parameters are included" (the single-filter draws), and every
    other requirement that sets a filtered answer beside the listing may fail with it: the whole
    filters category is allowed to.
    """
    hidden = {"alibaba": ("ALI-FILT-002", "Running instances, as if Status=Running were among the parameters"),
              "tencent": ("TC-FILT-002", "RUNNING instances, as if an instance-state filter were among the filters")}
    out = []
    for vendor, (requirement, what) in hidden.items():
        filtering = [r.id for r in catalog.load(vendor).requirements if r.category == "filters" and r.id != requirement]
        out.append(_d("filtered-running-only", vendor, requirement, f"A filtered listing holds only {what}.",
                      also=" ".join(filtering)))
    return tuple(out)


CATALOGUE = CATALOGUE + _one_filter_ignored() + _one_value_refused() + _filtered_running_only()

#: Older deviations that the rules where paths meet read from another side too: the same broken
#: behaviour reached through a combination (AND across entries is also AND across repeated names, a
#: page past the end of the listing is also one past the end of a filtered listing, ...).
_SEEN_WHERE_PATHS_MEET = {
    ("alibaba", "filters-or"): "ALI-FILT-011 ALI-FILT-013",
    ("alibaba", "tags-any-pair"): "ALI-FILT-013",
    ("alibaba", "array-limit-unchecked"): "ALI-FILT-014",
    ("alibaba", "region-ignored"): "ALI-FILT-011",
    ("alibaba", "server-error-past-end"): "ALI-FILT-011 ALI-PAGE-014",
    ("tencent", "filters-or"): "TC-FILT-011",
    ("tencent", "past-end-repeats-last"): "TC-PAGE-010",
    ("tencent", "server-error-past-end"): "TC-PAGE-010",
    ("tencent", "offset-rounded-to-limit"): "TC-PAGE-010",
    ("tencent", "value-limit-unchecked"): "TC-ERR-012",
    ("tencent", "error-without-request-id"): "TC-SCHEMA-005",
    ("alibaba", "xml-paged-differently"): "ALI-PAGE-014",
    ("alibaba", "address-limit-unchecked"): "ALI-FILT-009",
    # an address that begins another (10.0.0.1, 10.0.0.10) selects both under a prefix match
    ("tencent", "exact-filter-prefix"): "TC-FILT-002 TC-FILT-private-ip-address TC-FILT-public-ip-address",
}
#: Deviations every filtered answer shows (a page of 100 of a larger listing is cut too): every
#: requirement that reads a filtered answer may fail with them.
_EVERY_FILTERED_ANSWER = ("filtered-page-cut-before-filter",)


def _catalog(deviation: Deviation) -> catalog.VendorCatalog:
    """The catalogue of the revision the deviation breaks (whichever one this process judges)."""
    return catalog.load(deviation.vendor, deviation.revision or providers.get(deviation.vendor).seed_revision or None)


def _seen_where_paths_meet(deviation: Deviation) -> Deviation:
    more = _SEEN_WHERE_PATHS_MEET.get((deviation.vendor, deviation.name), "").split()
    if deviation.name in _EVERY_FILTERED_ANSWER:
        more += [r.id for r in _catalog(deviation).requirements
                 if r.category == "filters" or r.check == "total_count_filtered"]
    if deviation.name.startswith("ignored-"):  # an address list ignored is not held to its limit either
        spec = _catalog(deviation).filters.get(deviation.name.removeprefix("ignored-"))
        if spec is not None and spec.match == "json-array":
            more += [r.id for r in _catalog(deviation).requirements
                     if r.check == "model_agrees" and r.args.get("rule") == "lists-past-limit"]
    if not more:
        return deviation
    return replace(deviation, also=(*deviation.also, *more))


CATALOGUE = tuple(_seen_where_paths_meet(d) for d in CATALOGUE)


def _with_client_dependants(deviation: Deviation) -> Deviation:
    """``deviation`` with the client requirements that send, through an SDK, a case it breaks added to ``also``.

    A client requirement provokes the documented errors its ``cases`` name: when one of those no longer
    comes back, the SDK does not raise it either. The ``client`` category's own deviations break only it.
    """
    touched = set(deviation.breaks) | set(deviation.also)
    dependants = [r.id for r in _catalog(deviation).requirements
                  if touched & {str(c) for c in r.args.get("cases", [])} and r.id not in touched]
    if not dependants:
        return deviation
    return replace(deviation, also=(*deviation.also, *dependants))


CATALOGUE = tuple(_with_client_dependants(d) for d in CATALOGUE)


class UnknownDeviation(ValueError):
    pass


def for_vendor(vendor: str) -> list[Deviation]:
    return [d for d in CATALOGUE if d.vendor == vendor]


def resolve(vendor: str, names: Iterable[str], revision: str | None = None) -> frozenset[str]:
    """Validate deviation names for a vendor; raise :class:`UnknownDeviation` naming the bad one.

    With ``revision`` (the document revision served), a deviation of another revision is refused too:
    it would break a rule the emulator does not serve, and prove nothing.
    """
    known = {d.name: d for d in for_vendor(vendor)}
    chosen = frozenset(names)
    unknown = sorted(chosen - set(known))
    if unknown:
        raise UnknownDeviation(
            f"unknown deviation {unknown[0]!r} for {vendor}; see --list-deviations"
        )
    if revision is not None:
        served = revision or providers.get(vendor).seed_revision
        for name in sorted(chosen):
            wanted = known[name].revision
            if wanted and wanted != served:
                raise UnknownDeviation(f"deviation {name!r} breaks a rule of the {wanted} revision of the {vendor} "
                                       f"document: serve it with --document-revision {wanted}")
    return chosen
