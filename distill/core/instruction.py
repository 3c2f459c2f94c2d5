"""R1's instruction sentences: what generation appends to a problem and eval tasks end on.

`R1_INSTRUCTION` is the sentence the DeepSeek-R1 paper recommends for math ("Please reason step by
step, and put your final answer within \\boxed{}."); the choice and code ones follow its wording.
"""

from __future__ import annotations

R1_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
CHOICE_INSTRUCTION = "Please reason step by step, and put the letter of your final answer within \\boxed{}."
CODE_INSTRUCTION = (
    "Please reason step by step, then give your final solution as one Python program "
    "in a ```python fenced code block that reads from standard input and writes to standard output."
)
