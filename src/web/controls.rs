//! The controls, generated from the parameter table: one labelled widget per knob, grouped;
//! only the knobs the experiment uses (the rest hidden, never silently ignored), the common
//! ones first and the rest under "Advanced", minus any the link hides (`hide=`). Each value is
//! printed once; the help shows on hover and on keyboard focus.

use leptos::prelude::*;

use super::state::LinkState;
use crate::params::{Domain, ExperimentConfig, Group, PARAMS, ParamSpec};

/// Slider position (0..=1000) of a value on a float knob's scale.
fn to_slider(value: f32, min: f32, max: f32, log: bool) -> f32 {
    if log {
        (value / min).ln() / (max / min).ln() * 1000.0
    } else {
        (value - min) / (max - min) * 1000.0
    }
}

/// The value of a slider position, rounded to 3 significant digits so URLs stay short.
fn from_slider(pos: f32, min: f32, max: f32, log: bool) -> f32 {
    let t = pos / 1000.0;
    let v = if log {
        min * (max / min).powf(t)
    } else {
        min + (max - min) * t
    };
    let digits = 2 - v.abs().log10().floor() as i32;
    let scale = 10f32.powi(digits.max(0));
    ((v * scale).round() / scale).clamp(min, max)
}

/// One knob. Every change goes through `ExperimentConfig::set`, so the table's checks apply.
#[component]
fn Knob(
    spec: &'static ParamSpec,
    config: RwSignal<ExperimentConfig>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let key = spec.key;
    let id = format!("knob-{key}");
    let help_id = format!("help-{key}");
    let value = move || config.with(|c| c.get(key).unwrap_or_default());
    let apply = move |text: String| {
        let mut next = config.get_untracked();
        match next.set(key, &text).map(|_| crate::budget::check(&next)) {
            Ok(Ok(_)) => {
                error.set(None);
                config.set(next);
            }
            // Each value in range, but together too big: refused before anything is made.
            Ok(Err(over)) => error.set(Some(format!("{key}={text} refused: {over}"))),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    // Sliders show their value beside them (once); other widgets show it themselves.
    let (input, shows_value) = match spec.domain {
        Domain::Choice(names) => (
            view! {
                <select id=id.clone() aria-describedby=help_id.clone() prop:value=value
                    on:change=move |ev| apply(event_target_value(&ev))>
                    {names.iter().map(|n| view! { <option value=*n>{*n}</option> }).collect_view()}
                </select>
            }
            .into_any(),
            false,
        ),
        Domain::Bool => (
            view! {
                <input id=id.clone() type="checkbox" aria-describedby=help_id.clone() prop:checked=move || value() == "1"
                    on:change=move |ev| apply(if event_target_checked(&ev) { "1".into() } else { "0".into() }) />
            }
            .into_any(),
            false,
        ),
        Domain::Int { min, max } if max - min <= 64 => (
            view! {
                <input id=id.clone() type="range" aria-describedby=help_id.clone() min=min.to_string() max=max.to_string() step="1"
                    prop:value=value aria-valuetext=value
                    on:input=move |ev| apply(event_target_value(&ev)) />
            }
            .into_any(),
            true,
        ),
        Domain::Int { min, max } => (
            view! {
                <input id=id.clone() type="number" aria-describedby=help_id.clone() min=min.to_string() max=max.to_string() step="1"
                    prop:value=value on:change=move |ev| apply(event_target_value(&ev)) />
            }
            .into_any(),
            false,
        ),
        Domain::Float { min, max, log } => (
            view! {
                <input id=id.clone() type="range" aria-describedby=help_id.clone() min="0" max="1000" step="1"
                    prop:value=move || to_slider(value().parse().unwrap_or(min), min, max, log).to_string()
                    aria-valuetext=value
                    on:input=move |ev| {
                        let pos: f32 = event_target_value(&ev).parse().unwrap_or(0.0);
                        apply(from_slider(pos, min, max, log).to_string())
                    } />
            }
            .into_any(),
            true,
        ),
    };
    view! {
        <div class="knob">
            <label for=id class="knob-label">{spec.label}</label>
            {input}
            {shows_value.then(|| view! { <output class="knob-value" aria-hidden="true">{value}</output> })}
            <span class="help" role="tooltip" id=help_id>{spec.help}</span>
        </div>
    }
}

/// One group's knobs that the experiment uses and the link does not hide, common or advanced.
fn group_knobs(
    link: LinkState,
    group: Group,
    advanced: bool,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    move || {
        let config = link.config.get();
        let hidden = link.hidden.get();
        PARAMS
            .iter()
            .filter(|p| p.group == group && p.common != advanced)
            .filter(|p| config.uses(p.key) && !hidden.iter().any(|h| h == p.key))
            .map(|spec| view! { <Knob spec=spec config=link.config error=error /> })
            .collect_view()
    }
}

/// All knobs, one fieldset per group; the advanced ones folded away.
#[component]
pub fn Controls() -> impl IntoView {
    let link = expect_context::<LinkState>();
    let error = RwSignal::new(None::<String>);
    let fieldset = move |advanced: bool| {
        Group::ALL
            .iter()
            .map(|&group| {
                let any = move || {
                    let config = link.config.get();
                    let hidden = link.hidden.get();
                    PARAMS.iter().any(|p| {
                        p.group == group
                            && p.common != advanced
                            && config.uses(p.key)
                            && !hidden.iter().any(|h| h == p.key)
                    })
                };
                view! {
                    <Show when=any>
                        <fieldset class="group">
                            <legend>{group.title()}</legend>
                            {group_knobs(link, group, advanced, error)}
                        </fieldset>
                    </Show>
                }
            })
            .collect_view()
    };
    view! {
        <div class="controls">
            {move || error.get().map(|e| view! { <p class="knob-error" role="alert">{e}</p> })}
            {fieldset(false)}
            <details class="advanced">
                <summary>"Advanced"</summary>
                {fieldset(true)}
            </details>
        </div>
    }
}
