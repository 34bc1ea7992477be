//! The customer files in the demo (SAL-2): the south rep has opened the
//! files of his first customers — the record form of the first contact,
//! a contact's birthday this month among them — and left the rest to do.

use anyhow::Context;
use jiff::ToSpan;
use jiff::civil::Date;
use kaidan_app::App;
use kaidan_domain::Role;
use kaidan_domain::visits::CustomerFileInput;

use super::demo_login;

const FILES: [(&str, &str, &str, &str); 4] = [
    (
        "陈经理",
        "13800138001",
        "秋冬新品订货会,询问羽绒服起订量",
        "羽绒服、针织衫",
    ),
    (
        "林店长",
        "13800138002",
        "门店陈列指导与补货周期",
        "T恤、休闲裤",
    ),
    ("黄总", "13800138003", "加盟政策与首批铺货额度", "全品类"),
    ("吴小姐", "13800138004", "童装系列价格与账期", "童装、配饰"),
];

pub(super) async fn customer_files(app: &App, today: Date) -> anyhow::Result<()> {
    let south = demo_login(app, Role::SalesRep.as_str()).await?;
    let customers = app.customer_files(&south).await?;
    for (i, (c, (contact, phone, inquiry, interests))) in customers.iter().zip(FILES).enumerate() {
        let months = i32::try_from(i).unwrap_or(0) * 2 + 3;
        let birthday = if i == 1 {
            // One birthday this month, for the list to mark.
            format!("{:02}-{:02}", today.month(), today.day().min(28))
        } else {
            format!("{:02}-{:02}", (i * 3 % 12) + 1, 8 + i)
        };
        app.put_customer_file(
            &south,
            c.customer_id,
            CustomerFileInput {
                first_contact: today.checked_sub(months.months())?,
                contact: contact.into(),
                phone: Some(phone.into()),
                inquiry: inquiry.into(),
                birthday: Some(birthday),
                interests: Some(interests.into()),
                note: None,
            },
        )
        .await
        .with_context(|| format!("the demo's customer file of {}", c.code))?;
    }
    Ok(())
}
