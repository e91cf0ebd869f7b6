import { Field, Int, ObjectType } from "type-graphql";

@ObjectType({ simpleResolvers: true, description: "One problem with one row of a batch." })
export class RowError {
  @Field(() => Int, { description: "The row's position in the input list, from 0." }) index!: number;
  @Field(() => String, { description: "The input field at fault." }) field!: string;
  @Field(() => String, { description: "What is wrong and what to send instead." }) message!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: "What a batch did. With any error nothing is written: every row's errors are listed and the counts are 0.",
})
export class BatchResult {
  @Field(() => Int) inserted!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int, { description: "Rows identical to what is stored: sending a batch twice changes nothing the second time." }) unchanged!: number;
  @Field(() => Int, { description: "Rows stored without an account (or parent) yet, waiting for it to arrive." }) held!: number;
  @Field(() => Int, { description: "Earlier held facts or parent links this batch attached to an account." }) stitched!: number;
  @Field(() => [RowError]) errors!: RowError[];
}
