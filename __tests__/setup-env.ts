// The AWS SDK warns once per process on Node.js 20; the test run says it once at the end instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
