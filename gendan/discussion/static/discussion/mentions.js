// @mention autocomplete for comment boxes: typing "@" and a few letters lists colleagues who can see the
// order (GET /api/v1/comments/{owner_type}/{owner_id}/mentionable?q=…); choosing one writes "@username ".
// Names are put in with textContent only. Without this script, typing "@username" by hand works the same.
(function () {
  "use strict";
  var WORD = /(?:^|[^\w@])@([^\s@.,，。!?！？:;：；()（）]*)$/u;
  var timer = null;

  function section(el) { return el.closest("[data-owner-type]"); }

  function close(list) { list.hidden = true; list.textContent = ""; }

  function choose(input, list, username) {
    var caret = input.selectionStart;
    var before = input.value.slice(0, caret);
    var match = before.match(WORD);
    if (!match) { close(list); return; }
    var start = caret - match[1].length;
    input.value = input.value.slice(0, start) + username + " " + input.value.slice(caret);
    var at = start + username.length + 1;
    input.setSelectionRange(at, at);
    close(list);
    input.focus();
  }

  function show(input, list, people) {
    list.textContent = "";
    people.forEach(function (person) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link";
      button.setAttribute("role", "option");
      button.setAttribute("data-username", person.username);
      button.textContent = person.name && person.name !== person.username
        ? person.name + " (@" + person.username + ")" : "@" + person.username;
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { choose(input, list, person.username); });
      item.appendChild(button);
      list.appendChild(item);
    });
    list.hidden = people.length === 0;
  }

  function lookup(input) {
    var list = input.parentNode.querySelector(".mention-suggestions");
    var owner = section(input);
    if (!list || !owner) { return; }
    var match = input.value.slice(0, input.selectionStart).match(WORD);
    if (!match) { close(list); return; }
    var url = "/api/v1/comments/" + encodeURIComponent(owner.dataset.ownerType) + "/" +
      encodeURIComponent(owner.dataset.ownerId) + "/mentionable?q=" + encodeURIComponent(match[1]);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (people) { show(input, list, Array.isArray(people) ? people : []); })
      .catch(function () { close(list); });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-mention-input]")) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () { lookup(input); }, 200);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.matches && event.target.matches("[data-mention-input]")) {
      close(event.target.parentNode.querySelector(".mention-suggestions"));
    }
  });
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.matches && input.matches("[data-mention-input]")) {
      setTimeout(function () { close(input.parentNode.querySelector(".mention-suggestions")); }, 150);
    }
  });
})();
