//! The User, Group and Enterprise User schemas as RFC 7643 §8.7.1 gives them (names, descriptions,
//! canonical values), with the rules this service adds: `emails` is required (QuickSight registers
//! no user without one), a group's `displayName` is required and unique (it names the QuickSight
//! group), `password` is write-only and never kept (federated users have none).

use super::Mutability::{Immutable, ReadOnly, WriteOnly};
use super::Returned::{Always, Never};
use super::Type::{Binary, Boolean, Complex, DateTime, Reference, String as Text};
use super::{Attribute as A, Schema};
use crate::protocol::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};

const TYPE: A = A::new("type", Text, "A label indicating the attribute's function.");
const PRIMARY: A = A::new(
    "primary",
    Boolean,
    "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary attribute value 'true' MUST appear no more than once.",
);
const DISPLAY: A = A::new(
    "display",
    Text,
    "A human-readable name, primarily used for display purposes.",
);

/// `value`, `display`, `type` (with its canonical values) and `primary`: the shape of most
/// multi-valued attributes.
macro_rules! multi_valued {
    ($name:literal, $kind:expr, $description:literal, $value:literal, [$($t:literal),*]) => {
        A::new($name, Complex, $description).multi().with(&[
            A::new("value", $kind, $value),
            DISPLAY,
            TYPE.values(&[$($t),*]),
            PRIMARY,
        ])
    };
}

/// `id`, `externalId`, `meta` (RFC 7643 §3.1): on every resource, in no schema's list but
/// `externalId`, which the resource schemas repeat for the clients that look for it there.
pub static COMMON: Schema = Schema {
    id: "urn:ietf:params:scim:schemas:core:2.0:Common",
    name: "Common",
    description: "The attributes every resource has",
    attributes: &[
        A::new(
            "id",
            Text,
            "A unique identifier for a SCIM resource as defined by the service provider.",
        )
        .case_exact()
        .mutability(ReadOnly)
        .returned(Always)
        .unique(),
        EXTERNAL_ID,
        A::new("meta", Complex, "A complex attribute containing resource metadata.")
            .mutability(ReadOnly)
            .with(&[
                A::new("resourceType", Text, "The name of the resource type of the resource.")
                    .case_exact()
                    .mutability(ReadOnly),
                A::new(
                    "created",
                    DateTime,
                    "The DateTime that the resource was added to the service provider.",
                )
                .mutability(ReadOnly),
                A::new(
                    "lastModified",
                    DateTime,
                    "The most recent DateTime that the details of this resource were updated at the service provider.",
                )
                .mutability(ReadOnly),
                A::new("location", Reference, "The URI of the resource being returned.")
                    .case_exact()
                    .mutability(ReadOnly)
                    .references(&["uri"]),
                A::new("version", Text, "The version of the resource being returned.")
                    .case_exact()
                    .mutability(ReadOnly),
            ]),
    ],
};

const EXTERNAL_ID: A = A::new(
    "externalId",
    Text,
    "A String that is an identifier for the resource as defined by the provisioning client. With SCIM_LOGIN_ID=externalId it is the user's QuickSight ExternalLoginId.",
)
.case_exact();

pub static USER: Schema = Schema {
    id: USER_SCHEMA,
    name: "User",
    description: "User Account",
    attributes: &[
        A::new("userName", Text, "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. REQUIRED. With SCIM_SESSION_NAME=userName it is the QuickSight session name's source.")
            .required()
            .unique(),
        A::new("name", Complex, "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.")
            .with(&[
                A::new("formatted", Text, "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III')."),
                A::new("familyName", Text, "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III')."),
                A::new("givenName", Text, "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III')."),
                A::new("middleName", Text, "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III')."),
                A::new("honorificPrefix", Text, "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III')."),
                A::new("honorificSuffix", Text, "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III')."),
            ]),
        A::new("displayName", Text, "The name of the User, suitable for display to end-users. The name SHOULD be the full name of the User being described, if known."),
        A::new("nickName", Text, "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'."),
        A::new("profileUrl", Reference, "A fully qualified URL pointing to a page representing the User's online profile.")
            .references(&["external"]),
        A::new("title", Text, "The user's title, such as \"Vice President.\""),
        A::new("userType", Text, "Used to identify the relationship between the organization and the user. Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used."),
        A::new("preferredLanguage", Text, "Indicates the User's preferred written or spoken language. Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US."),
        A::new("locale", Text, "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
        A::new("timezone", Text, "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
        A::new("active", Boolean, "A Boolean value indicating the User's administrative status. Here: false takes the user out of QuickSight (SCIM_DEACTIVATE=delete); true or unassigned keeps it there."),
        A::new("password", Text, "The User's cleartext password. Accepted and never kept: QuickSight's federated users sign in through the identity provider and have no password.")
            .mutability(WriteOnly)
            .returned(Never),
        A::new("emails", Complex, "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'. REQUIRED here: QuickSight registers no user without an e-mail; the primary one (else the first) is the user's QuickSight e-mail.")
            .multi()
            .required()
            .with(&[
                A::new("value", Text, "Email addresses for the user. The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.").required(),
                DISPLAY,
                TYPE.values(&["work", "home", "other"]),
                PRIMARY,
            ]),
        multi_valued!("phoneNumbers", Text, "Phone numbers for the User. The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.", "Phone number of the User.", ["work", "home", "mobile", "fax", "pager", "other"]),
        multi_valued!("ims", Text, "Instant messaging addresses for the User.", "Instant messaging address for the User.", ["aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"]),
        multi_valued!("photos", Reference, "URLs of photos of the User.", "URL of a photo of the User.", ["photo", "thumbnail"]),
        A::new("addresses", Complex, "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'. This attribute is a complex type with the following sub-attributes.")
            .multi()
            .with(&[
                A::new("formatted", Text, "The full mailing address, formatted for display or use with a mailing label. This attribute MAY contain newlines."),
                A::new("streetAddress", Text, "The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information. This attribute MAY contain newlines."),
                A::new("locality", Text, "The city or locality component."),
                A::new("region", Text, "The state or region component."),
                A::new("postalCode", Text, "The zip code or postal code component."),
                A::new("country", Text, "The country name component."),
                TYPE.values(&["work", "home", "other"]),
                PRIMARY,
            ]),
        A::new("groups", Complex, "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated. Read-only: a user's groups are the Groups' members, in QuickSight.")
            .multi()
            .mutability(ReadOnly)
            .with(&[
                A::new("value", Text, "The identifier of the User's group.").case_exact().mutability(ReadOnly),
                A::new("$ref", Reference, "The URI of the corresponding 'Group' resource to which the user belongs.")
                    .case_exact()
                    .mutability(ReadOnly)
                    .references(&["User", "Group"]),
                DISPLAY.mutability(ReadOnly),
                TYPE.values(&["direct", "indirect"]).mutability(ReadOnly),
            ]),
        multi_valued!("entitlements", Text, "A list of entitlements for the User that represent a thing the User has.", "The value of an entitlement.", []),
        A::new("roles", Complex, "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'. A value that is a QuickSight role (READER, AUTHOR, ADMIN, and the PRO roles, any case), or a GROUP_MAPPING entry's name, gives the user that role.")
            .multi()
            .with(&[A::new("value", Text, "The value of a role."), DISPLAY, TYPE, PRIMARY]),
        multi_valued!("x509Certificates", Binary, "A list of certificates issued to the User.", "The value of an X.509 certificate.", []),
        EXTERNAL_ID,
    ],
};

pub static GROUP: Schema = Schema {
    id: GROUP_SCHEMA,
    name: "Group",
    description: "Group",
    attributes: &[
        A::new("displayName", Text, "A human-readable name for the Group. REQUIRED here, and unique: the QuickSight group is MANAGED_GROUP_PREFIX followed by this name.")
            .required()
            .unique(),
        A::new("members", Complex, "A list of members of the Group: Users this service provisioned.")
            .multi()
            .with(&[
                A::new("value", Text, "Identifier of the member of this Group.")
                    .case_exact()
                    .mutability(Immutable),
                A::new("$ref", Reference, "The URI corresponding to a SCIM resource that is a member of this Group.")
                    .case_exact()
                    .mutability(Immutable)
                    .references(&["User", "Group"]),
                A::new("type", Text, "A label indicating the type of resource, e.g., 'User' or 'Group'.")
                    .mutability(Immutable)
                    .values(&["User", "Group"]),
                A::new("display", Text, "A human-readable name for the member. Ignored when written; not kept.")
                    .mutability(ReadOnly),
            ]),
        EXTERNAL_ID,
    ],
};

pub static ENTERPRISE_USER: Schema = Schema {
    id: ENTERPRISE_USER_SCHEMA,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: &[
        A::new("employeeNumber", Text, "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
        A::new("costCenter", Text, "Identifies the name of a cost center."),
        A::new("organization", Text, "Identifies the name of an organization."),
        A::new("division", Text, "Identifies the name of a division."),
        A::new("department", Text, "Identifies the name of a department."),
        A::new("manager", Complex, "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.")
            .with(&[
                A::new("value", Text, "The id of the SCIM resource representing the User's manager.").case_exact(),
                A::new("$ref", Reference, "The URI of the SCIM resource representing the User's manager.")
                    .case_exact()
                    .references(&["User"]),
                A::new("displayName", Text, "The displayName of the User's manager.").mutability(ReadOnly),
            ]),
    ],
};
