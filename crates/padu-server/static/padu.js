// Padu: the instant re-check while an operator types a correction.
// The form works without this file (the "Periksa" button posts it); with it,
// the answer appears a moment after typing stops.
(function () {
  "use strict";
  var form = document.getElementById("edit-form");
  if (!form || !window.fetch) { return; }
  var panel = document.getElementById("recheck");
  var url = form.getAttribute("data-recheck");
  var csrf = form.getAttribute("data-csrf");
  var timer = null;
  var seq = 0;

  function value(name) {
    var el = form.elements.namedItem(name);
    return el ? el.value : "";
  }

  function text(tag, cls, s) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    el.textContent = s;
    return el;
  }

  function show(r) {
    panel.className = "recheck " + r.class;
    panel.textContent = "";
    var p = document.createElement("p");
    p.appendChild(text("b", "", r.title + ": "));
    var badge = text("span", "badge " + r.class, r.status);
    badge.id = "recheck-status";
    p.appendChild(badge);
    r.flags.forEach(function (f) { p.appendChild(document.createTextNode(" ")); p.appendChild(text("span", "badge muted", f)); });
    if (r.skor) { p.appendChild(document.createTextNode(" · " + r.skor)); }
    panel.appendChild(p);
    var k = text("p", "", r.keterangan);
    k.id = "recheck-text";
    panel.appendChild(k);
    if (r.candidate) { panel.appendChild(text("p", "small", r.candidate_label + ": " + r.candidate)); }
  }

  function check() {
    var mine = ++seq;
    var body = {
      nik: value("nik"), no_kk: value("no_kk"), nama: value("nama"),
      jenis_kelamin: value("jenis_kelamin"), tempat_lahir: value("tempat_lahir"),
      tgl_lahir: value("tgl_lahir"), nama_ibu_kandung: value("nama_ibu_kandung"),
      hubungan_keluarga: value("hubungan_keluarga"), alamat: value("alamat"),
      rt: value("rt"), rw: value("rw")
    };
    fetch(url + "?view=panel", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (j) { return { ok: res.ok, j: j }; });
    }).then(function (r) {
      if (mine !== seq) { return; }
      if (r.ok && r.j.panel) { show(r.j.panel); }
      else if (r.j.error) { panel.className = "recheck bad"; panel.textContent = r.j.error.message; }
    }).catch(function () { /* offline: the button still works */ });
  }

  form.addEventListener("input", function (e) {
    if (!e.target.hasAttribute("data-recheck-field")) { return; }
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
}());
