"use strict";
module.exports = require("./run-folder").teardown;
