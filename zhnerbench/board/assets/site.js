// The web board's script: sortable tables, the error filter, relation evidence (copied into results/site/).
function cellValue(row, index) {
  const cell = row.cells[index];
  const value = cell.getAttribute("data-value");
  return value === null ? cell.textContent : value;
}
function sortTable(header) {
  const table = header.closest("table");
  const index = Array.prototype.indexOf.call(header.parentNode.children, header);
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const numeric = header.getAttribute("data-type") === "number";
  const ascending = !header.classList.contains("sorted-asc");
  rows.sort(function (a, b) {
    let x = cellValue(a, index), y = cellValue(b, index);
    if (numeric) { x = x === "" ? -Infinity : parseFloat(x); y = y === "" ? -Infinity : parseFloat(y); }
    const order = x < y ? -1 : x > y ? 1 : 0;
    return ascending ? order : -order;
  });
  rows.forEach(function (row) { body.appendChild(row); });
  table.querySelectorAll("th").forEach(function (th) { th.classList.remove("sorted-asc", "sorted-desc"); });
  header.classList.add(ascending ? "sorted-asc" : "sorted-desc");
}
function filterErrors(select) {
  const label = select.value;
  document.querySelectorAll(".pair").forEach(function (pair) {
    pair.hidden = label !== "" && pair.getAttribute("data-labels").split(" ").indexOf(label) < 0;
  });
}
function showEvidence(row) {
  document.querySelectorAll(".sentence.evidence").forEach(function (s) { s.classList.remove("evidence"); });
  document.querySelectorAll(".relations tr.selected").forEach(function (r) { r.classList.remove("selected"); });
  row.classList.add("selected");
  row.getAttribute("data-evidence").split(",").forEach(function (id) {
    const sentence = document.getElementById("s" + id);
    if (sentence) { sentence.classList.add("evidence"); }
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.sortable th").forEach(function (th) {
    th.addEventListener("click", function () { sortTable(th); });
  });
  document.querySelectorAll("select.label-filter").forEach(function (select) {
    select.addEventListener("change", function () { filterErrors(select); });
  });
  document.querySelectorAll(".relations tr[data-evidence]").forEach(function (row) {
    row.addEventListener("click", function () { showEvidence(row); });
  });
});
