import { Testing } from "cdktf";

// Registers cdktf's matchers (toHaveResourceWithProperties, …) with jest.
Testing.setupJest();
