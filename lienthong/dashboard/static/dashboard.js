// The operators' dashboard: reads /api/overview every 2 s and redraws the page from it
// (helpers in page_kit.js, loaded first).
"use strict";

(() => {
  const REFRESH_MS = 2000;
  const { ago, badge, count, duration, el, fill, parseTime, perSecond, sparkline } = window.pageKit;

  const COMPONENTS = {
    kafka: "Kafka",
    registry: "Lược đồ · Registry",
    centre: "Trung tâm · Centre",
    workers: "Xử lý · Workers",
    connectors: "Kết nối · Connectors",
  };
  // Every colour comes with words: the state must read without colour too.
  const LEVELS = {
    healthy: ["ok", "Tốt · healthy"],
    late: ["warn", "Chậm · late"],
    silent: ["bad", "Im lặng · silent"],
    unknown: ["", "Chưa rõ · unknown"],
  };
  const CONNECTOR_STATES = {
    STARTING: ["warn", "Đang khởi động · starting"],
    RUNNING: ["ok", "Đang chạy · running"],
    PAUSED: ["warn", "Tạm dừng · paused"],
    STOPPED: ["warn", "Đã dừng · stopped"],
    FAILED: ["bad", "Lỗi · failed"],
    UNASSIGNED: ["bad", "Mất liên lạc · unassigned"],
  };
  const GROUP_STATES = { Stable: "ok", Empty: "warn" };

  let openDeadLetterTopic = null;

  // ---- sections -----------------------------------------------------------------------

  function renderHeader(o, nowMs) {
    document.getElementById("bus-name").textContent = o.bus;
    document.getElementById("bootstrap").textContent = o.bootstrap_servers;
    document.getElementById("late-after").textContent = duration(o.thresholds.late_after_s);
    document.getElementById("silent-after").textContent = duration(o.thresholds.silent_after_s);
    const updated = document.getElementById("updated");
    updated.textContent = o.sampled_at
      ? `Cập nhật · Updated ${ago(o.sampled_at, nowMs)}`
      : "Chưa lấy được số liệu · No sample yet";
    const pills = o.components.map((c) => {
      const [kind, words] =
        c.up === true ? ["ok", "lên · up"] : c.up === false ? ["bad", "xuống · down"] : ["", "?"];
      return el(
        "li",
        { class: `pill ${kind}`.trim(), "data-testid": `pill-${c.name}`, "data-up": String(c.up), title: c.detail },
        el("span", { class: "name" }, COMPONENTS[c.name] || c.name),
        el("span", { class: "state" }, words),
        el("span", { class: "detail" }, c.detail),
      );
    });
    document.getElementById("pills").replaceChildren(...pills);
  }

  function renderBanner(o, nowMs) {
    const banner = document.getElementById("banner");
    let text = null;
    if (o.kafka_up === false) {
      const shown = o.sampled_at
        ? `Đang hiển thị số liệu cuối · Showing the last sample, taken ${ago(o.sampled_at, nowMs)}.`
        : "Chưa có số liệu · Nothing sampled yet.";
      text =
        `Kafka không phản hồi · Kafka is down: ${o.problem}. ` +
        `Thử lại mỗi ${duration(o.sample_every_s)} · Retrying every ${duration(o.sample_every_s)}. ${shown}`;
    } else if (o.problem) {
      text = `Lỗi lấy số liệu · Sampling failed: ${o.problem}`;
    }
    banner.hidden = text === null;
    banner.textContent = text || "";
  }

  function renderSources(o, nowMs) {
    const rows = o.sources.map((s) => {
      const [kind, words] = LEVELS[s.level] || LEVELS.unknown;
      return el(
        "tr",
        { "data-testid": "source-row", "data-agency": s.agency, "data-system": s.system },
        el("td", {}, s.agency),
        el("td", {}, s.system),
        el("td", {}, badge(kind, words, "source-level")),
        el("td", { class: "num", title: s.last_event_at || "" }, ago(s.last_event_at, nowMs)),
        el("td", { class: "num" }, duration(s.event_time_lag_s)),
        el("td", { class: "num" }, count(s.events_applied)),
        el("td", {}, sparkline(s.age_series, `age of the newest event of ${s.agency}/${s.system}`)),
      );
    });
    fill("sources-body", rows, 7, "Chưa có sự kiện nào được áp dụng · No events applied yet");
  }

  function renderTopics(o) {
    const rows = o.topics.map((t) => {
      const partitions = t.end_offsets.map((p) => `p${p.partition} ${count(p.end_offset)}`).join(" · ");
      return el(
        "tr",
        { "data-testid": "topic-row", "data-topic": t.name, class: t.of_the_bus ? null : "other" },
        el("td", {}, t.name, t.is_dead_letter ? el("span", { class: "small" }, " (DLQ)") : null),
        el("td", { class: "num" }, count(t.partitions)),
        el(
          "td",
          { class: "num" },
          el("span", { "data-testid": "topic-end-total" }, count(t.end_total)),
          el("div", { class: "small", "data-testid": "topic-end-offsets" }, partitions),
        ),
        el("td", { class: "num", "data-testid": "topic-records" }, count(t.records)),
        el("td", { class: "num", "data-testid": "topic-throughput" }, perSecond(t.throughput_per_s)),
        el("td", {}, sparkline(t.throughput_series, `events per second on ${t.name}`)),
      );
    });
    fill("topics-body", rows, 6, "Chưa thấy chủ đề nào · No topics seen yet");
  }

  function renderGroups(o) {
    const container = document.getElementById("groups");
    if (o.groups.length === 0) {
      container.replaceChildren(el("p", { class: "hint" }, "Chưa có nhóm tiêu thụ · No consumer groups"));
      return;
    }
    container.replaceChildren(
      ...o.groups.map((g) => {
        const rows = g.partitions.map((p) =>
          el(
            "tr",
            { "data-testid": "lag-row", "data-topic": p.topic, "data-partition": String(p.partition) },
            el("td", {}, p.topic),
            el("td", { class: "num" }, String(p.partition)),
            el("td", { class: "num" }, count(p.end_offset)),
            el("td", { class: "num" }, count(p.committed)),
            el("td", { class: "num", "data-testid": "lag" }, count(p.lag)),
            el("td", { class: "num" }, duration(p.event_time_lag_s)),
          ),
        );
        const head = el(
          "tr",
          {},
          ...[
            ["Chủ đề", "Topic", ""],
            ["Phân vùng", "Partition", "num"],
            ["Offset cuối", "End", "num"],
            ["Đã đọc", "Committed", "num"],
            ["Độ trễ", "Lag", "num"],
            ["Trễ thời gian", "Event-time lag", "num"],
          ].map(([vi, en, cls]) => el("th", { class: cls || null }, vi, el("span", { class: "en" }, en))),
        );
        return el(
          "div",
          { class: "group", "data-testid": "group", "data-group": g.group_id },
          el(
            "div",
            { class: "group-head" },
            el("span", { class: "id" }, g.group_id),
            badge(GROUP_STATES[g.state] || "bad", g.state, "group-state"),
            el("span", { class: "small" }, `${count(g.members)} thành viên · members`),
            el("span", {}, "Tổng trễ · Total lag ", el("strong", { "data-testid": "group-total-lag" }, count(g.total_lag))),
            sparkline(g.lag_series, `total lag of ${g.group_id}`),
          ),
          el("table", {}, el("thead", {}, head), el("tbody", {}, ...rows)),
        );
      }),
    );
  }

  function renderDeadLetterCounts(o) {
    const rows = o.dead_letters.map((d) => {
      const row = el(
        "tr",
        {
          class: `clickable${d.topic === openDeadLetterTopic ? " selected" : ""}`,
          tabindex: "0",
          role: "button",
          "data-testid": "dlq-row",
          "data-topic": d.topic,
          title: `Xem thư chết của ${d.source_topic} · Show the dead letters of ${d.source_topic}`,
        },
        el("td", {}, d.source_topic, el("span", { class: "small" }, ` → ${d.topic}`)),
        el("td", { class: "num" }, badge(d.count > 0 ? "bad" : "ok", count(d.count), "dlq-count")),
        el("td", {}, sparkline(d.series, `dead letters held on ${d.topic}`)),
      );
      row.addEventListener("click", () => openDeadLetters(d.topic));
      row.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") openDeadLetters(d.topic);
      });
      return row;
    });
    fill("dlq-body", rows, 3, "Không có chủ đề thư chết · No dead-letter topics");
  }

  function renderCentre(o, nowMs) {
    const rows = o.centre.map((k) =>
      el(
        "tr",
        { "data-testid": "centre-row", "data-kind": k.kind },
        el("td", {}, k.kind, el("div", { class: "small" }, k.topic)),
        el("td", { class: "num" }, count(k.current_rows)),
        el("td", { class: "num" }, count(k.history_rows)),
        el(
          "td",
          { class: "num" },
          k.behind === 0
            ? badge("ok", "kịp · caught up", "centre-behind")
            : badge("warn", count(k.behind), "centre-behind"),
        ),
        el("td", { class: "num", title: k.last_synced_at || "" }, ago(k.last_synced_at, nowMs)),
      ),
    );
    fill("centre-body", rows, 5, "Chưa đọc được trung tâm · Centre not read yet");
  }

  function renderConnectors(o, nowMs) {
    const rows = o.connectors.map((c) => {
      const [kind, words] = CONNECTOR_STATES[c.state] || ["", c.state];
      return el(
        "tr",
        { "data-testid": "connector-row", "data-connector": c.name },
        el("td", {}, c.name, el("div", { class: "small" }, `${c.kind} · ${c.agency} · ${c.worker}`)),
        el(
          "td",
          {},
          badge(kind, words, "connector-state"),
          c.error ? el("div", { class: "small letter-reason" }, c.error) : null,
        ),
        el("td", { class: "num" }, count(c.published)),
        el("td", { class: "num" }, count(c.dead_lettered)),
        el("td", { class: "num", title: c.last_commit_at || "" }, ago(c.last_commit_at, nowMs)),
      );
    });
    fill("connectors-body", rows, 5, "Chưa có bộ kết nối nào báo cáo · No connector has reported");
  }

  function renderSchemas(o) {
    const rows = o.subjects.map((s) =>
      el(
        "tr",
        { "data-testid": "subject-row", "data-subject": s.subject },
        el("td", {}, s.subject),
        el("td", { class: "num" }, s.versions.join(", ")),
      ),
    );
    fill("schemas-body", rows, 2, "Không đọc được lược đồ · No subjects (registry down or empty)");
  }

  // ---- dead letters drill-down ----------------------------------------------------------

  async function openDeadLetters(topic) {
    openDeadLetterTopic = topic;
    for (const row of document.querySelectorAll('[data-testid="dlq-row"]')) {
      row.classList.toggle("selected", row.dataset.topic === topic);
    }
    const detail = document.getElementById("dlq-detail");
    const status = document.getElementById("dlq-detail-status");
    const list = document.getElementById("dlq-detail-list");
    detail.hidden = false;
    document.getElementById("dlq-detail-title").textContent = topic;
    status.textContent = "Đang đọc… · Reading…";
    list.replaceChildren();
    try {
      const answer = await fetch(`/api/dead-letters/${encodeURIComponent(topic)}`, { cache: "no-store" });
      const body = await answer.json();
      if (openDeadLetterTopic !== topic) return;
      if (!answer.ok) throw new Error(body.error || `HTTP ${answer.status}`);
      const nowMs = Date.now();
      status.textContent =
        body.letters.length === 0
          ? "Không có thư chết · No dead letters"
          : `${count(body.letters.length)} thư, mới nhất trước · ` +
            `${count(body.letters.length)} dead letter${body.letters.length === 1 ? "" : "s"}, newest first`;
      list.replaceChildren(...body.letters.map((letter) => deadLetterItem(letter, nowMs)));
    } catch (error) {
      if (openDeadLetterTopic === topic) status.textContent = `Không đọc được · Could not read: ${error.message}`;
    }
  }

  function deadLetterItem(letter, nowMs) {
    let original = letter.original_topic || "?";
    if (letter.original_partition !== null) {
      original += `[${letter.original_partition}]@${letter.original_offset ?? "?"}`;
    }
    return el(
      "li",
      { "data-testid": "dead-letter", "data-offset": String(letter.offset) },
      el(
        "div",
        { class: "letter-head" },
        el("span", {}, `#${count(letter.offset)}`),
        el("span", { title: letter.written_at || "" }, ago(letter.written_at, nowMs)),
        el("span", {}, `gốc · from ${original}`),
        el("span", {}, `bước · stage ${letter.stage || "-"}`),
        el("span", {}, `khoá · key ${letter.key}`),
      ),
      el(
        "div",
        { class: "letter-reason" },
        el("span", { class: "letter-exception", "data-testid": "dead-letter-exception", title: letter.exception_class || "" }, letter.exception),
        ": ",
        el("span", { "data-testid": "dead-letter-reason" }, letter.reason || "(không có lý do · no reason given)"),
      ),
    );
  }

  function closeDeadLetters() {
    openDeadLetterTopic = null;
    document.getElementById("dlq-detail").hidden = true;
    for (const row of document.querySelectorAll('[data-testid="dlq-row"]')) row.classList.remove("selected");
  }

  // ---- refresh loop ---------------------------------------------------------------------

  function render(o) {
    const nowMs = parseTime(o.now);
    renderHeader(o, nowMs);
    renderBanner(o, nowMs);
    renderSources(o, nowMs);
    renderTopics(o);
    renderGroups(o);
    renderDeadLetterCounts(o);
    renderCentre(o, nowMs);
    renderConnectors(o, nowMs);
    renderSchemas(o);
    document.body.dataset.loaded = "true";
  }

  async function refresh() {
    try {
      const answer = await fetch("/api/overview", { cache: "no-store" });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
      render(await answer.json());
    } catch (error) {
      const banner = document.getElementById("banner");
      banner.hidden = false;
      banner.textContent = `Không kết nối được bảng điều khiển · The dashboard does not answer: ${error.message}`;
    } finally {
      window.setTimeout(refresh, REFRESH_MS);
    }
  }

  document.getElementById("dlq-close").addEventListener("click", closeDeadLetters);
  refresh();
})();
