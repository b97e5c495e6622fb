// Example function for docker-compose.yml: a plain Node.js handler, run by the image's built-in Node.js runtime.
exports.handler = async (event, context) => {
  console.log(`hello from ${context.functionName}, request ${context.awsRequestId}`);
  return {
    greeting: `Hello, ${event.name ?? 'world'}!`,
    requestId: context.awsRequestId,
    remainingTimeMs: context.getRemainingTimeInMillis(),
  };
};
