import Access
import Cases
import ArgumentParser
import Benefits
import Foundation
import Hummingbird
import Logging
import Partnership
import Register
import Revenues
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// `townhall`: one binary for the server and every operator job.
public struct TownhallCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "townhall",
        abstract: "Townhall: shared services for councils and their partners.",
        subcommands: [Serve.self, Migrate.self, Demo.self, Import.self, User.self, Org.self, APIKeyCommand.self, CasesCommand.self, RevenuesCommand.self, BenefitsCommand.self, Bench.self])
    public init() {}
}

/// Flags every command shares. Flags win over TOWNHALL_* environment variables.
struct CommonOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "sqlite:///path/file.sqlite, sqlite://relative.sqlite or postgres://… (TOWNHALL_DATABASE_URL)")
    var databaseURL: String?

    func configuration(hostname: String? = nil, port: Int? = nil) throws -> TownhallConfiguration {
        try TownhallConfiguration.load(databaseURL: databaseURL, hostname: hostname, port: port)
    }

    func logger(_ configuration: TownhallConfiguration) -> Logger {
        var logger = Logger(label: "townhall")
        logger.logLevel = configuration.logLevel
        return logger
    }

    /// Opens and migrates the database, runs `body`, and always closes the pools.
    func withServices<T>(_ body: (Services, Logger) async throws -> T) async throws -> T {
        let configuration = try self.configuration()
        let logger = self.logger(configuration)
        let services = try await Services.open(configuration, logger: logger)
        do {
            let result = try await body(services, logger)
            await services.database.shutdown()
            return result
        } catch {
            await services.database.shutdown()
            throw error
        }
    }
}

/// Prints a TownhallError as a sentence and exits 1, rather than a stack of Swift error text.
func reportingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let e as TownhallError {
        FileHandle.standardError.write(Data("townhall: \(e.message)\(e.field.map { " (\($0))" } ?? "")\n".utf8))
        throw ExitCode.failure
    } catch let e as ExitCode {
        throw e
    } catch {
        // Operators need the detail (PSQLError's plain description deliberately hides it); no password is in it.
        FileHandle.standardError.write(Data("townhall: \(String(reflecting: error))\n".utf8))
        throw ExitCode.failure
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server (API, staff desk, health and metrics).")
    @OptionGroup var common: CommonOptions
    @Option(help: "Address to listen on (TOWNHALL_HOSTNAME, default 127.0.0.1).") var hostname: String?
    @Option(help: "Port to listen on (TOWNHALL_PORT, default 8080).") var port: Int?
    @Flag(help: "Load the demo partnership first (does nothing if it is already loaded).") var demo = false

    func run() async throws {
        try await reportingErrors {
            let configuration = try common.configuration(hostname: hostname, port: port)
            let logger = common.logger(configuration)
            logger.info("starting Townhall", metadata: ["database": .string(configuration.database.description)])
            if demo {
                let services = try await Services.open(configuration, logger: logger)
                try await DemoData(services: services, logger: logger).load()
                await services.database.shutdown()
                print(DemoData.signInHelp(url: "http://\(configuration.hostname):\(configuration.port)"))
                fflush(nil)   // all C streams; the server runs on; without this a redirected log would not show how to sign in
            }
            let app = try await buildApplication(configuration, logger: logger)
            try await app.runService()
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date (also done at start-up).")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await reportingErrors {
            try await common.withServices { services, _ in
                let pending = try await Services.migrator.pending(services.database)
                print(pending.isEmpty ? "schema is up to date (\(Services.migrator.migrations.count) migrations)" : "pending: \(pending.joined(separator: ", "))")
            }
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the demo partnership (Lancashire). Running it twice changes nothing.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await reportingErrors {
            try await common.withServices { services, logger in
                let summary = try await DemoData(services: services, logger: logger).load()
                print("demo loaded: \(summary.organisations) organisations, \(summary.staff) staff, \(summary.properties) properties, \(summary.households) households, \(summary.agreements) agreements, \(summary.cases) cases added")
                print(DemoData.signInHelp(url: "http://127.0.0.1:8080"))
            }
        }
    }
}

extension DemoData {
    static func signInHelp(url: String) -> String {
        """
        Sign in at \(url)/sign-in as, for example:
          burnley.agent                (contact-centre agent, Burnley)
          burnley.administrator        (administrator, Burnley)
          lancashire-police.agent      (police, sees Burnley records under a sharing agreement)
        A resident's portal account: \(url)/account/sign-in as ann.clegg@example.com
        Every demo account's password is \(password)
        """
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import reference data and registers from CSV files.",
                                                    subcommands: [Properties.self, Postcodes.self, Authorities.self])

    struct Properties: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import properties (Townhall, libraries or OS Open UPRN layout) into an organisation's register.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The organisation's slug.") var organisation: String
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            try await reportingErrors {
                try await importFile(file, into: organisation, common: common) { try await $0.register.importProperties(csv: $1, by: $2) }
            }
        }
    }

    struct Postcodes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import postcode directory rows (ONSPD layout).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The organisation recorded as doing the import.") var organisation: String
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            try await reportingErrors {
                try await importFile(file, into: organisation, common: common) { try await $0.register.importPostcodes(csv: $1, by: $2) }
            }
        }
    }

    struct Authorities: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Load the register of local authorities (the shipped copy, or a newer file in the same layout).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "A local-authorities.csv from GOV.UK local-links-manager; the shipped copy when absent.") var file: String?

        func run() async throws {
            try await reportingErrors {
                let text = try file.map(readFile)
                try await common.withServices { services, _ in
                    print("loaded \(try await services.partnership.loadAuthorities(csv: text)) local authorities")
                }
            }
        }
    }
}

func readFile(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw TownhallError.invalid("file", "Cannot read \(path).", code: "unreadable_file")
    }
    guard let text = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
        throw TownhallError.invalid("file", "\(path) is not text.", code: "unreadable_file")
    }
    return text
}

/// Reads a file, runs an importer as the organisation's system actor, and prints each rejected line then the summary.
func importFile(_ path: String, into organisation: String, common: CommonOptions,
                _ importer: (Services, String, Actor) async throws -> ImportReport) async throws {
    let text = try readFile(path)
    try await common.withServices { services, _ in
        let org = try await services.partnership.organisation(slug: organisation)
        let report = try await importer(services, text, .system(org.id, "import"))
        for r in report.rejected { print("rejected line \(r.line)\(r.field.map { " (\($0))" } ?? ""): \(r.reason)") }
        print(report.summary)
    }
}

struct User: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage staff accounts.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a staff account, such as the first administrator. The password is read from standard input unless --password is given.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The organisation's slug.") var organisation: String
        @Option(help: "Sign-in name.") var username: String
        @Option(help: "Full name.") var name: String
        @Option(help: "Work email address.") var email: String
        @Option(help: "A role; repeat for several. One of: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: [String] = ["administrator"]
        @Option(help: "Password (prefer standard input, which stays out of shell history).") var password: String?

        func run() async throws {
            try await reportingErrors {
                let roles = try Set(role.map { raw -> Role in
                    guard let r = Role(rawValue: raw) else { throw TownhallError.invalid("role", "\(raw) is not a role.") }
                    return r
                })
                let secret = password ?? readLine(strippingNewline: true) ?? ""
                try await common.withServices { services, _ in
                    let org = try await services.partnership.organisation(slug: organisation)
                    let staff = try await services.access.createStaff(NewStaff(username: username, displayName: name, email: email, password: secret, roles: roles),
                                                                      organisation: org.id, by: nil)
                    print("created \(staff.username) in \(org.slug) with roles \(staff.roles.map(\.rawValue).sorted().joined(separator: ", "))")
                }
            }
        }
    }
}

struct Org: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "org", abstract: "Manage organisations.", subcommands: [List.self, Add.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per organisation: slug, name, kind (tab-separated).")
        @OptionGroup var common: CommonOptions
        func run() async throws {
            try await reportingErrors {
                try await common.withServices { services, _ in
                    for o in try await services.partnership.organisations() { print("\(o.slug)\t\(o.name)\t\(o.kind.rawValue)") }
                }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a council by its ONS code (--gss), or any organisation by --slug, --name and --kind.")
        @OptionGroup var common: CommonOptions
        @Option(help: "ONS GSS code of a council, e.g. E07000117; fills name, tier and custodian code.") var gss: String?
        @Option var slug: String?
        @Option var name: String?
        @Option(help: "One of: \(Organisation.Kind.allCases.map(\.rawValue).joined(separator: ", ")).") var kind: String?
        @Option(help: "Slug of the parent organisation (a district's county).") var parent: String?

        func run() async throws {
            try await reportingErrors {
                try await common.withServices { services, _ in
                    let org: Organisation
                    if let gss {
                        try await services.partnership.loadAuthorities()
                        org = try await services.partnership.createCouncil(gss: gss, slug: slug, parentSlug: parent, by: nil)
                    } else {
                        guard let slug, let name, let kindRaw = kind, let k = Organisation.Kind(rawValue: kindRaw) else {
                            throw TownhallError.invalid("kind", "Give --gss, or --slug, --name and a valid --kind.")
                        }
                        org = try await services.partnership.create(NewOrganisation(slug: slug, name: name, kind: k, parentSlug: parent), by: nil)
                    }
                    print("\(org.slug)\t\(org.name)\t\(org.kind.rawValue)")
                }
            }
        }
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apikey", abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key; the key is printed alone on the last line, once.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The organisation's slug.") var organisation: String
        @Option(help: "A scope; repeat for several. One of: \(Services.catalogue.scopeNames.joined(separator: ", ")). Default register:read.") var scope: [String] = []
        @Option(help: "What the key is for.") var name: String = "command line"

        func run() async throws {
            try await reportingErrors {
                let scopes = try Set((scope.isEmpty ? ["register:read"] : scope).map(Services.catalogue.scope(parsing:)))
                try await common.withServices { services, _ in
                    let org = try await services.partnership.organisation(slug: organisation)
                    let (key, secret) = try await services.access.createAPIKey(organisation: org.id, name: name, scopes: scopes, by: nil)
                    print("created key \(key.prefix) for \(org.slug) with scopes \(key.scopes.map(\.rawValue).sorted().joined(separator: " "))")
                    print(secret)
                }
            }
        }
    }
}

struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cases", abstract: "Case engine jobs: service catalogue, bank holidays, service levels, messages.",
                                                    subcommands: [ImportServices.self, BankHolidays.self, Sweep.self, Recompute.self])

    struct ImportServices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import-services", abstract: "Load an LGSL services CSV (LGSL, Description, Providing Tier) into an organisation's catalogue.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The organisation's slug.") var organisation: String
        @Argument(help: "The CSV file (GOV.UK's local_services.csv layout).") var file: String

        func run() async throws {
            try await reportingErrors {
                let text = try readFile(file)
                try await common.withServices { services, _ in
                    let org = try await services.partnership.organisation(slug: organisation)
                    let report = try await services.cases.importLGSL(csv: text, by: .system(org.id, "import"))
                    for r in report.rejected { print("rejected line \(r.line)\(r.field.map { " (\($0))" } ?? ""): \(r.reason)") }
                    print("read \(report.rowsRead) services: \(report.created) created, \(report.unchanged) already there, \(report.otherTier) of another tier, \(report.rejected.count) rejected")
                }
            }
        }
    }

    struct BankHolidays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "bank-holidays", abstract: "Refresh England and Wales bank holidays from GOV.UK's bank-holidays.json.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The JSON file (https://www.gov.uk/bank-holidays.json).") var file: String

        func run() async throws {
            try await reportingErrors {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                try await common.withServices { services, _ in
                    let result = try await services.cases.loadBankHolidays(json: data, by: nil)
                    print("\(result.total) bank holidays (\(result.added) new). Run townhall cases recompute to move open cases' due times.")
                }
            }
        }
    }

    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Raise due service-level alerts and send queued messages once (the server does this every TOWNHALL_SCHEDULER_INTERVAL seconds).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await reportingErrors {
                let configuration = try common.configuration()
                try await common.withServices { services, logger in
                    let sweep = try await services.cases.sweepServiceLevels()
                    let delivery = try await services.cases.deliverMessages(with: try configuration.makeSender(logger: logger), logger: logger)
                    print("raised \(sweep.warnings) warnings and \(sweep.breaches) breaches; sent \(delivery.sent) messages, \(delivery.retrying) to retry, \(delivery.failed) failed")
                }
            }
        }
    }

    struct Recompute: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute every case's service level from its timeline (after a calendar, bank-holiday or target change). Safe to stop and rerun.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Only this organisation's cases.") var organisation: String?

        func run() async throws {
            try await reportingErrors {
                try await common.withServices { services, _ in
                    var id: OrganisationID?
                    if let organisation { id = try await services.partnership.organisation(slug: organisation).id }
                    let started = Date()
                    let result = try await services.cases.recomputeServiceLevels(organisation: id)
                    print(String(format: "recomputed %d cases in %.2f s (%d clocks moved)", result.recomputed, Date().timeIntervalSince(started), result.changed))
                }
            }
        }
    }
}

struct RevenuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revenues", abstract: "Council tax and business rates jobs: the valuation and rating lists, the annual billing run and recovery.",
                                                    subcommands: [Bill.self, ImportValuation.self, ImportRatingList.self, Recover.self])

    struct Recover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the recovery job for a day: propose (or, without review, issue) each reminder, notice, summons and liability order that is due.",
            discussion: "The server runs it once a day by itself. Safe to rerun: each stage is proposed once per account and year. Ends with `recovery on DATE: N accounts checked, P proposed, I issued`.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The day to run for (YYYY-MM-DD; default today).") var date: String?
        @Option(help: "Only this organisation (default: every organisation that bills council tax).") var organisation: String?

        func run() async throws {
            try await reportingErrors {
                let day = try date.map { try LocalDate(parsing: $0, field: "date") } ?? .today()
                guard day <= .today() else { throw TownhallError.invalid("date", "Recovery cannot run for a day that has not come yet.", code: "future_date") }
                try await common.withServices { services, _ in
                    var organisations: [Organisation] = []
                    if let organisation { organisations = [try await services.partnership.organisation(slug: organisation)] } else {
                        for id in try await services.revenues.billingOrganisations() { organisations.append(try await services.partnership.organisation(id: id)) }
                    }
                    var accounts = 0, proposed = 0, issued = 0
                    for org in organisations {
                        let result = try await services.revenues.runRecovery(on: day, by: .system(org.id, "recovery"))
                        let stages = result.proposed.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                        print("\(org.slug): \(result.accounts) accounts checked, \(result.proposedTotal) proposed\(stages.isEmpty ? "" : " (\(stages))"), \(result.issued) issued")
                        accounts += result.accounts; proposed += result.proposedTotal; issued += result.issued
                    }
                    print("recovery on \(day): \(accounts) accounts checked, \(proposed) proposed, \(issued) issued")
                }
            }
        }
    }

    struct Bill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue every demand notice for a year, with its instalments. Safe to stop and rerun: each account gets exactly one bill.",
            discussion: "Ends with the line `billed N accounts: C created, S already billed`; accounts that could not be billed are listed before it.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The financial year, like 2026 or 2026/27.") var year: String
        @Option(help: "The date printed on the notices (YYYY-MM-DD; default today). Instalments start at least 14 days later.") var issued: String?
        @Option(help: "Only this organisation (default: every organisation with charges set for the year).") var organisation: String?

        func run() async throws {
            try await reportingErrors {
                let year = try FinancialYear(parsing: year)
                let issuedOn = try issued.map { try LocalDate(parsing: $0, field: "issued") } ?? .today()
                try await common.withServices { services, _ in
                    var organisations: [Organisation] = []
                    if let organisation { organisations = [try await services.partnership.organisation(slug: organisation)] } else {
                        for id in try await services.revenues.chargingOrganisations(year: year) { organisations.append(try await services.partnership.organisation(id: id)) }
                    }
                    guard !organisations.isEmpty else { throw Revenues.noCharges(year) }
                    var created = 0, already = 0
                    for org in organisations {
                        let (run, notBilled) = try await services.revenues.billingRun(year: year, issuedOn: issuedOn, by: .system(org.id, "billing run")) { run in
                            let line = "\(org.slug): \(run.done) of \(run.accounts) accounts (\(run.percentDone)%): \(run.created) created, \(run.alreadyBilled) already billed, \(run.notBilled) not billed\n"
                            FileHandle.standardError.write(Data(line.utf8))
                        }
                        for n in notBilled { print("\(org.slug): not billed \(n.reference): \(n.reason)") }
                        if run.notBilled > notBilled.count { print("\(org.slug): … and \(run.notBilled - notBilled.count) more not billed") }
                        if organisations.count > 1 { print("\(org.slug): \(run.summary)") }
                        created += run.created
                        already += run.alreadyBilled
                    }
                    print("billed \(created + already) accounts: \(created) created, \(already) already billed")
                }
            }
        }
    }

    struct ImportRatingList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import-rating-list",
                                                        abstract: "Load business rates rateable values from CSV (uprn,rateable_value[,effective_from][,description]).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The billing authority's slug.") var organisation: String
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            try await reportingErrors {
                try await importFile(file, into: organisation, common: common) { try await $0.revenues.importRatingList(csv: $1, by: $2) }
            }
        }
    }

    struct ImportValuation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import-valuation", abstract: "Load council tax bands from CSV (uprn,band[,effective_from][,area]).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The billing authority's slug.") var organisation: String
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            try await reportingErrors {
                try await importFile(file, into: organisation, common: common) { try await $0.revenues.importValuationList(csv: $1, by: $2) }
            }
        }
    }
}

struct BenefitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "benefits", abstract: "Benefits: the eligibility checker.",
                                                    subcommands: [Estimate.self])

    struct Estimate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate every benefit for a household: the JSON of POST /api/v1/benefits/estimate in, its answer out.",
            discussion: "Needs no database. A bad file prints {\"error\": …} naming the field on standard error and exits 1.")

        @Argument(help: "The household as JSON, or - for standard input.")
        var file: String

        func run() async throws {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let read = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("Cannot read \(file).")
                }
                data = read
            }
            do {
                let estimate = try await Benefits().estimate(try Benefits.decodeInput(data))
                print(String(decoding: try JSONResponse.bytes(EstimateBody(estimate)), as: UTF8.self))
            } catch let error as TownhallError {
                let body = try JSONResponse.bytes(["error": ["code": error.code, "message": error.message, "field": error.field ?? ""]])
                FileHandle.standardError.write(Data(body + [10]))
                throw ExitCode(1)
            }
        }
    }
}
