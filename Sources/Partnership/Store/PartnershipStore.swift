import Foundation
import SQLKit
import TownhallDatabase
import TownhallKernel

/// All SQL for organisations, the local-authority register and sharing agreements.
enum PartnershipStore {
    static let migrations: [Migration] = [
        Migration("partnership.0001_organisations", [
            """
            CREATE TABLE local_authority (
                gss TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL, tier INTEGER NOT NULL,
                custodian_code INTEGER, parent_gss TEXT, country TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE organisation (
                id TEXT PRIMARY KEY,
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                ons_code TEXT,
                custodian_code INTEGER,
                parent_id TEXT REFERENCES organisation (id),
                created_at TEXT NOT NULL,
                version INTEGER NOT NULL
            )
            """,
            """
            CREATE TABLE sharing_agreement (
                id TEXT PRIMARY KEY,
                organisation_id TEXT NOT NULL REFERENCES organisation (id),
                recipient_id TEXT NOT NULL REFERENCES organisation (id),
                categories TEXT NOT NULL,
                legal_basis TEXT NOT NULL,
                starts_on TEXT NOT NULL,
                expires_on TEXT NOT NULL,
                revoked_at TEXT,
                created_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX sharing_agreement_recipient ON sharing_agreement (recipient_id)",
        ]),
    ]

    static func insert(_ o: Organisation, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO organisation (id, slug, name, kind, ons_code, custodian_code, parent_id, created_at, version)
            VALUES (\(bind: o.id.string), \(bind: o.slug), \(bind: o.name), \(bind: o.kind.rawValue), \(bind: o.onsCode),
                    \(bind: o.custodianCode), \(bind: o.parentID?.string), \(bind: o.createdAt.iso), \(bind: o.version))
            """).run()
    }

    static func all(on db: any SQLDatabase) async throws -> [Organisation] {
        try await db.raw("SELECT * FROM organisation ORDER BY slug").all().map(decodeOrganisation)
    }

    static func find(slug: String, on db: any SQLDatabase) async throws -> Organisation? {
        try await db.raw("SELECT * FROM organisation WHERE slug = \(bind: slug)").first().map(decodeOrganisation)
    }

    static func find(onsCode: String, on db: any SQLDatabase) async throws -> Organisation? {
        try await db.raw("SELECT * FROM organisation WHERE ons_code = \(bind: onsCode)").first().map(decodeOrganisation)
    }

    static func find(id: OrganisationID, on db: any SQLDatabase) async throws -> Organisation? {
        try await db.raw("SELECT * FROM organisation WHERE id = \(bind: id.string)").first().map(decodeOrganisation)
    }

    static func decodeOrganisation(_ row: any SQLRow) throws -> Organisation {
        guard let kind = Organisation.Kind(rawValue: try row.string("kind")) else {
            throw TownhallError(.invalid, code: "corrupt_row", message: "unknown organisation kind")
        }
        return Organisation(id: try row.id("id"), slug: try row.string("slug"), name: try row.string("name"), kind: kind,
                            onsCode: try row.optionalString("ons_code"), custodianCode: try row.optionalInt64("custodian_code").map(Int.init),
                            parentID: try row.optionalID("parent_id"), createdAt: try row.timestamp("created_at"), version: try row.int("version"))
    }

    static func upsert(_ a: LocalAuthority, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO local_authority (gss, name, slug, tier, custodian_code, parent_gss, country)
            VALUES (\(bind: a.gss), \(bind: a.name), \(bind: a.slug), \(bind: a.tier.rawValue), \(bind: a.custodianCode), \(bind: a.parentGSS), \(bind: a.country))
            ON CONFLICT (gss) DO UPDATE SET name = excluded.name, slug = excluded.slug, tier = excluded.tier,
                custodian_code = excluded.custodian_code, parent_gss = excluded.parent_gss, country = excluded.country
            """).run()
    }

    static func authority(gss: String, on db: any SQLDatabase) async throws -> LocalAuthority? {
        try await db.raw("SELECT * FROM local_authority WHERE gss = \(bind: gss)").first().map { row in
            LocalAuthority(gss: try row.string("gss"), name: try row.string("name"), slug: try row.string("slug"),
                           tier: LocalAuthority.Tier(rawValue: try row.int("tier")) ?? .unitary,
                           custodianCode: try row.optionalInt64("custodian_code").map(Int.init),
                           parentGSS: try row.optionalString("parent_gss"), country: try row.string("country"))
        }
    }

    static func insert(_ a: SharingAgreement, on db: any SQLDatabase) async throws {
        try await db.raw("""
            INSERT INTO sharing_agreement (id, organisation_id, recipient_id, categories, legal_basis, starts_on, expires_on, revoked_at, created_at)
            VALUES (\(bind: a.id.string), \(bind: a.providerID.string), \(bind: a.recipientID.string),
                    \(bind: a.categories.map(\.rawValue).sorted().joined(separator: ",")), \(bind: a.legalBasis),
                    \(bind: a.startsOn.description), \(bind: a.expiresOn.description), \(bind: a.revokedAt?.iso), \(bind: a.createdAt.iso))
            """).run()
    }

    /// Agreements an organisation is party to, either way round.
    static func agreements(involving org: OrganisationID, on db: any SQLDatabase) async throws -> [SharingAgreement] {
        try await db.raw("""
            SELECT * FROM sharing_agreement WHERE organisation_id = \(bind: org.string) OR recipient_id = \(bind: org.string)
            ORDER BY created_at, id
            """).all().map(decodeAgreement)
    }

    static func agreements(recipient: OrganisationID, on db: any SQLDatabase) async throws -> [SharingAgreement] {
        try await db.raw("SELECT * FROM sharing_agreement WHERE recipient_id = \(bind: recipient.string) AND revoked_at IS NULL")
            .all().map(decodeAgreement)
    }

    static func agreement(id: AgreementID, on db: any SQLDatabase) async throws -> SharingAgreement? {
        try await db.raw("SELECT * FROM sharing_agreement WHERE id = \(bind: id.string)").first().map(decodeAgreement)
    }

    static func revoke(id: AgreementID, at time: Timestamp, on db: any SQLDatabase) async throws {
        try await db.raw("UPDATE sharing_agreement SET revoked_at = \(bind: time.iso) WHERE id = \(bind: id.string) AND revoked_at IS NULL").run()
    }

    static func decodeAgreement(_ row: any SQLRow) throws -> SharingAgreement {
        SharingAgreement(
            id: try row.id("id"), providerID: try row.id("organisation_id"), recipientID: try row.id("recipient_id"),
            categories: Set(try row.string("categories").split(separator: ",").compactMap { DataCategory(rawValue: String($0)) }),
            legalBasis: try row.string("legal_basis"),
            startsOn: try LocalDate(parsing: try row.string("starts_on"), field: "starts_on"),
            expiresOn: try LocalDate(parsing: try row.string("expires_on"), field: "expires_on"),
            revokedAt: try row.optionalTimestamp("revoked_at"), createdAt: try row.timestamp("created_at"))
    }
}
