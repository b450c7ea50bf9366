import Contact
import Foundation
import TownhallKernel

/// Guidance for the demo's agents: call scripts and knowledge articles written by the council that provides each service.
enum DemoGuidance {
    struct Item { var slug: String; var organisation: String; var draft: Guidance.Draft }

    static let items: [Item] = [
        Item(slug: "fly-tipping-script", organisation: "burnley", draft: .init(
            kind: .script, title: "Fly-tipping: what to ask", summary: "Take a fly-tipping report in under two minutes, and when to call the police instead.",
            serviceCodes: ["587"], keywords: ["rubbish", "dumped", "tipping", "mattress", "sofa", "bags", "waste"], body: """
            ## What to say
            "I can report that for you now. We aim to clear fly-tipping from public land within 3 working days."

            ## What to ask
            1. **Where is it?** Get the nearest address or postcode, then the exact spot ("the alley behind 12 Parker Street").
            2. **What has been dumped?** Household rubbish, furniture, building rubble, or anything hazardous.
            3. **How much?** A bag or two, a car boot load, or a van load or more.
            4. **Did they see it being dumped?** If so, ask for the time, and any vehicle registration.

            ## Take care
            - **Asbestos, chemicals, syringes or gas bottles**: tell the caller not to touch it, and choose *hazardous* so the job goes to the specialist crew.
            - If someone is dumping waste **right now**, the caller should ring **101** (or **999** if anyone is threatened).
            - Waste on **private land** is the landowner's to clear: log it anyway, and say an officer will contact the owner.
            """)),
        Item(slug: "bulky-waste", organisation: "burnley", draft: .init(
            kind: .article, title: "Bulky waste collections", summary: "What we collect, what it costs, and how to book.",
            serviceCodes: [], keywords: ["bulky", "sofa", "fridge", "mattress", "furniture", "collection", "wardrobe"], body: """
            Burnley collects up to **five large items** from outside a home for one charge.

            | Items | Charge |
            | --- | --- |
            | 1 to 3 | £25 |
            | 4 or 5 | £35 |

            - Fridges and freezers count as one item each.
            - We do not take building rubble, garden waste, car parts or anything from a business.
            - Collections are on **Tuesdays and Thursdays**; book by noon the working day before.
            - People on council tax reduction pay half.

            If the caller says the items have already been left on the street, it is **fly-tipping**: take a fly-tipping report instead.
            """)),
        Item(slug: "street-light-script", organisation: "lancashire", draft: .init(
            kind: .script, title: "Street lights: reporting a fault", summary: "Faults, the column number, and what counts as an emergency.",
            serviceCodes: ["564"], keywords: ["lamp", "light", "column", "dark", "flickering", "lamppost"], body: """
            ## What to say
            "Lancashire County Council looks after street lights. I'll pass this straight to them, and you'll get a reference."

            ## What to ask
            1. **The column number**: a small plate on the post, often with a letter and numbers (for example *BUR 123*).
            2. **What is wrong**: out, on during the day, flickering, or damaged.
            3. **Where**: the street and the nearest house number.

            ## Emergencies
            A column that is **knocked down, leaning, or has exposed wires or an open door** is an emergency: choose *damaged*
            and *urgent* priority, and tell the caller to keep away from it. The county's out-of-hours line is 0300 123 6780.
            """)),
        Item(slug: "adult-social-care", organisation: "lancashire", draft: .init(
            kind: .script, title: "Adult social care: first contact", summary: "Opening the conversation before you run the triage.",
            serviceCodes: ["209", "178"], keywords: ["care", "carer", "elderly", "disabled", "support", "falls", "equipment", "assessment"], body: """
            ## What to say
            "I'm going to ask you a few questions so that we get you the right help first time. It will take about five minutes."

            ## Before you start
            - Check **who is calling**: the person themselves, a relative, a neighbour or a professional. Ask whether the person knows about the call and agrees to it.
            - If the person is **in danger now**, stop and ring **999**.
            - Then choose **Run triage** on the person's page and follow the questions in order.

            ## Useful to know
            Simple equipment (grab rails, a bath seat, a raised toilet seat) can be assessed within **2 working days** without a social worker.
            Anything that needs building work goes to an occupational therapist.
            """)),
        Item(slug: "single-person-discount", organisation: "burnley", draft: .init(
            kind: .article, title: "Council tax: single person discount", summary: "Who qualifies for the 25% discount and what to check.",
            serviceCodes: [], keywords: ["council", "tax", "discount", "single", "alone", "live", "25"], body: """
            A home where only **one adult (18 or over)** lives gets **25% off** the council tax bill
            (Local Government Finance Act 1992, section 11).

            ## What to ask
            1. The date they started living alone.
            2. Whether anyone else aged 18 or over lives there, even part of the week.
            3. Whether any other adult there is a full-time student or apprentice: they are *disregarded*, so the discount may still apply.

            ## Take care
            - The discount runs from the date the person started living alone, not the date they called.
            - Remind the caller they must tell us within **21 days** if someone moves in.
            """)),
    ]
}
