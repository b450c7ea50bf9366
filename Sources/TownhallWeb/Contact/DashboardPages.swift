import Cases
import Contact
import Foundation
import Hummingbird
import TownhallDatabase
import TownhallHTTP
import TownhallKernel

/// The team leader's dashboard: the day's contacts by channel and outcome with the first-contact resolution rate, open
/// cases by service-level state, queue lengths, and triage runs, as server-drawn SVG charts with the figures in tables.
public struct DashboardPages: WebArea {
    let contacts: Contacts
    let cases: Cases
    let triage: Triage
    let pages: Pages
    let chrome: @Sendable (TownhallContext) async throws -> Chrome

    public init(services: ServiceRegistry, kit: PageKit) {
        contacts = services.require(Contacts.self); cases = services.require(Cases.self)
        triage = services.require(Triage.self); pages = kit.pages; chrome = kit.chrome
    }

    public func deskLinks(for actor: Actor) -> [DeskLink] {
        [DeskLink("Dashboard", href: "/desk/dashboard")]
    }

    public func addRoutes(desk: RouterGroup<TownhallContext>, web: RouterGroup<TownhallContext>) {
        desk.get("dashboard") { request, context in
            let actor = try context.requireActor()
            var day = LocalDate.today()
            var dateError: String?
            if let raw = request.query("date"), !raw.isEmpty {
                do { day = try LocalDate(parsing: raw, field: "date") } catch let e as TownhallError { dateError = e.message }
            }
            let summary = try await contacts.summary(on: day, by: actor)
            let workload = try await cases.workload(by: actor)
            let runs = try await triage.summary(on: day, by: actor)
            var model = DashboardModel(date: request.query("date") ?? day.description, day: day.description, total: summary.total,
                                       fcr: summary.firstContactResolution.map { "\($0)%" }, openCases: workload.open)
            let channels = ContactChannel.allCases.map { BarChart.Bar(label: $0.title, value: summary.byChannel[$0.rawValue] ?? 0) }
            let outcomes = ContactOutcome.allCases.map { BarChart.Bar(label: $0.title, value: summary.byOutcome[$0.rawValue] ?? 0) }
            let states: [ServiceLevelClock.State] = [.onTrack, .warning, .breached, .paused]
            let sla = states.map { BarChart.Bar(label: $0.title, value: workload.bySLA[$0.rawValue] ?? 0) }
            model.channelChart = BarChart(id: "chart-channel", title: "Contacts on \(day) by channel", bars: channels).svg
            model.outcomeChart = BarChart(id: "chart-outcome", title: "Contacts on \(day) by outcome", bars: outcomes, colour: "#00703c").svg
            model.slaChart = BarChart(id: "chart-sla", title: "Open cases by service level", bars: sla, colour: "#4c2c92").svg
            model.channels = channels.map { FigureRow(label: $0.label, value: $0.value) }
            model.outcomes = outcomes.map { FigureRow(label: $0.label, value: $0.value) }
            model.sla = sla.map { FigureRow(label: $0.label, value: $0.value) }
            model.queues = workload.queues.map { FigureRow(label: $0.team, value: $0.open) }
            model.triage = runs.map { r in
                TriageFigureRow(name: r.name, runs: r.runs, median: r.medianSeconds < 60 ? "\(r.medianSeconds) s" : "\(Int((Double(r.medianSeconds) / 60).rounded())) min",
                                outcomes: r.byOutcome.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "_", with: " ")): \($0.value)" }.joined(separator: ", "))
            }
            if let dateError { model.errors = [Pages.FieldError(field: "date", message: dateError)]; model.dateError = dateError }
            var c = try await chrome(context)
            c.breadcrumbs = [.init(text: "Staff desk", href: "/desk")]
            let m = model.ready()
            return html(pages.render("dashboard", m, title: (m.hasErrors ? "Error: " : "") + "Dashboard", hasErrors: m.hasErrors, chrome: c),
                        status: m.hasErrors ? .badRequest : .ok)
        }
    }
}

struct FigureRow: Encodable { var label: String; var value: Int }
struct TriageFigureRow: Encodable { var name: String; var runs: Int; var median, outcomes: String }
struct DashboardModel: Encodable {
    var date, day: String
    var total: Int
    var fcr: String?
    var openCases: Int
    var channelChart = "", outcomeChart = "", slaChart = ""
    var channels: [FigureRow] = [], outcomes: [FigureRow] = [], sla: [FigureRow] = [], queues: [FigureRow] = []
    var triage: [TriageFigureRow] = []
    var hasQueues = false, hasTriage = false
    var errors: [Pages.FieldError] = []
    var hasErrors = false
    var dateError: String?

    func ready() -> DashboardModel {
        var m = self
        m.hasQueues = !queues.isEmpty; m.hasTriage = !triage.isEmpty; m.hasErrors = !errors.isEmpty
        return m
    }
}
